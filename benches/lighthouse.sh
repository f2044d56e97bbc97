#!/usr/bin/env bash
# Lighthouse on the sign-in page of the RELEASE build (`make release` first), offline.
#
# The binary is installed and started the way README.md "Deploying" says (and as
# end2end/playwright.config.ts does): a fresh folder holding the binary, its hash.txt,
# Leptos.toml and the bundle as `site`, started from there with the documented settings, in
# simulator mode (no TRUECALLER_APP_KEY), on a free loopback port, with an empty SQLite database.
#
# Lighthouse's defaults are kept on purpose, so numbers compare with anyone else's run: mobile
# form factor (Moto G Power viewport), simulated throttling ("simulate": slow 4G, 150 ms RTT,
# 1.6 Mbps, 4x CPU slowdown, computed from one unthrottled load). Only the categories we target
# are run. It is a measurement: a missed target does not fail; only Lighthouse (or the server)
# failing does.
#
#   LIGHTHOUSE_RUNS   how many loads (default 3); the table shows each and the median of each column
#   LIGHTHOUSE_PATH   the page (default /). Lighthouse's mobile user agent is Android, so / is the
#                     one-tap page; /?with=number is the number form with the country list.
#   LIGHTHOUSE_FLAGS  more lighthouse flags, word-split (e.g. --blocked-url-patterns=*.wasm)
#   CHROME_PATH       the browser (default Debian's /usr/bin/chromium)
#
# Reports (JSON and HTML per run) go to target/lighthouse/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=${LIGHTHOUSE_RUNS:-3}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
# Lighthouse 13 needs node >= 22.19; the node here is 20, so the last 12.x.
LIGHTHOUSE_VERSION=12.8.2
# Its own prefix, not .tools/ itself: an `npm install --no-save` into a prefix removes what an
# earlier --no-save install put there, so sharing .tools/ with binaryen (wasm-opt, .ci/setup)
# would make each install delete the other.
LH_PREFIX=$ROOT/.tools/lighthouse
LH=$LH_PREFIX/node_modules/.bin/lighthouse
OUT=$ROOT/target/lighthouse
say() { printf '\033[1m[lighthouse]\033[0m %s\n' "$*"; }

BINARY=$ROOT/target/release/truecaller-signin
for f in "$BINARY" "$ROOT/target/release/hash.txt" "$ROOT/target/site/pkg"; do
  if [ ! -e "$f" ]; then
    say "$f is missing: run \`make release\` first (this measures the release build)." >&2
    exit 1
  fi
done
if [ ! -x "$CHROME_PATH" ]; then
  say "no browser at $CHROME_PATH (\`bash .ci/setup\` installs Debian's chromium; or set CHROME_PATH)" >&2
  exit 1
fi

# Installed only when missing (or another version), like .ci/setup does for wasm-opt. Only the
# npm registry is reachable; lighthouse downloads no browser (chrome-launcher uses CHROME_PATH).
if [ "$("$LH" --version 2>/dev/null || true)" != "$LIGHTHOUSE_VERSION" ]; then
  say "installing lighthouse $LIGHTHOUSE_VERSION (npm) into .tools/lighthouse/"
  npm install --prefix "$LH_PREFIX" --no-audit --no-fund --no-save "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

# A free loopback port: the OS picks one, we release it and the server takes it straight after.
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE="http://127.0.0.1:$PORT"
URL="$BASE${LIGHTHOUSE_PATH:-/}"

DIR=$(mktemp -d -t lighthouse-signin.XXXXXX)
SERVER_PID=""
cleanup() {
  # Only the server this script started, by its pid.
  # It shuts down gracefully on SIGTERM; after 10 s it is killed.
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Install as README "Deploying" says. Copying also means a `make release` running meanwhile
# cannot swap the bundle under the measurement.
mkdir -p "$DIR/data"
cp "$BINARY" "$ROOT/target/release/hash.txt" "$ROOT/Leptos.toml" "$DIR/"
cp -r "$ROOT/target/site" "$DIR/site"
say "release build ($(tr '\n' ' ' < "$DIR/hash.txt")) installed in $DIR, serving $URL"
(
  cd "$DIR"
  # Simulator mode: no Truecaller or Sandbox keys, whatever the caller's environment holds.
  exec env -u TRUECALLER_APP_KEY -u SANDBOX_API_KEY -u SANDBOX_API_SECRET -u APP_CONFIG \
    LEPTOS_OUTPUT_NAME=truecaller-signin LEPTOS_SITE_ROOT=site LEPTOS_HASH_FILES=true \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_ENV=PROD \
    PUBLIC_URL="http://127.0.0.1:$PORT" DATABASE_URL="sqlite://$DIR/data/app.db" \
    RUST_LOG=warn ./truecaller-signin
) >"$DIR/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    say "the server exited before answering /healthz:" >&2; cat "$DIR/server.log" >&2; exit 1
  fi
  sleep 0.1
done
curl -fsS -o /dev/null "$BASE/healthz" || { say "no answer on /healthz after 30 s" >&2; cat "$DIR/server.log" >&2; exit 1; }

mkdir -p "$OUT"
rm -f "$OUT"/run-*.report.json "$OUT"/run-*.report.html
set -f  # LIGHTHOUSE_FLAGS patterns such as *.wasm are for lighthouse, not globs for the shell
for i in $(seq 1 "$RUNS"); do
  say "run $i/$RUNS"
  # --headless=new: the old headless mode is gone from recent Chromium. --no-sandbox: we run as
  # root. --lang=en-IN and the Accept-Language header: the page picks its language and the
  # country picker's start from them (en-IN = English, India), as the e2e suite's locale does.
  # LIGHTHOUSE_FLAGS is left unquoted on purpose: several flags in one variable.
  # --disable-background-networking & co.: the machine is offline; keep Chromium's own traffic
  # out of the trace. A fresh profile per run (chrome-launcher's default), so every load is cold.
  "$LH" "$URL" \
    --quiet \
    --only-categories=performance,accessibility,best-practices \
    --form-factor=mobile --throttling-method=simulate \
    --extra-headers='{"Accept-Language":"en-IN,en;q=0.9"}' \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --lang=en-IN --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    --output=json --output=html --output-path="$OUT/run-$i" \
    ${LIGHTHOUSE_FLAGS:-}
done
set +f

# The table. The median is of each column separately (not one median run).
node - "$OUT" "$RUNS" <<'JS'
const fs = require("fs"), path = require("path");
const [out, runs] = [process.argv[2], +process.argv[3]];
const rows = [];
let last;
for (let i = 1; i <= runs; i++) {
  const r = JSON.parse(fs.readFileSync(path.join(out, `run-${i}.report.json`), "utf8"));
  const a = r.audits, c = r.categories;
  rows.push({
    run: String(i),
    lcp: a["largest-contentful-paint"].numericValue,
    fcp: a["first-contentful-paint"].numericValue,
    tbt: a["total-blocking-time"].numericValue,
    cls: a["cumulative-layout-shift"].numericValue,
    perf: c.performance.score, a11y: c.accessibility.score, bp: c["best-practices"].score,
    bench: r.environment.benchmarkIndex,
  });
  // Offline check: anything the page (or Lighthouse) asked for beyond our server.
  const foreign = (a["network-requests"].details?.items ?? [])
    .map((x) => x.url).filter((u) => !/^(https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(u));
  if (foreign.length) console.log(`run ${i}: requests beyond 127.0.0.1: ${[...new Set(foreign)].join(", ")}`);
  if (r.runWarnings?.length) console.log(`run ${i} warnings: ${r.runWarnings.join(" | ")}`);
  last = r;
}
const median = (xs) => { const s = [...xs].sort((x, y) => x - y), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const med = { run: "median" };
for (const k of ["lcp", "fcp", "tbt", "cls", "perf", "a11y", "bp", "bench"]) med[k] = median(rows.map((r) => r[k]));
const ms = (v) => `${Math.round(v)}`, sc = (v) => v.toFixed(2);
const line = (cells) => console.log("| " + cells.join(" | ") + " |");
console.log(`\nLighthouse ${last.lighthouseVersion}, ${last.configSettings.formFactor}, ${last.configSettings.throttlingMethod} ` +
  `(RTT ${last.configSettings.throttling.rttMs} ms, ${Math.round(last.configSettings.throttling.throughputKbps)} kbps, ` +
  `CPU x${last.configSettings.throttling.cpuSlowdownMultiplier}), ${last.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0]}\n`);
line(["run", "LCP ms", "FCP ms", "TBT ms", "CLS", "performance", "accessibility", "best-practices", "benchmarkIndex"]);
line(Array(9).fill("---"));
for (const r of [...rows, med]) line([r.run, ms(r.lcp), ms(r.fcp), ms(r.tbt), r.cls.toFixed(3), sc(r.perf), sc(r.a11y), sc(r.bp), ms(r.bench)]);
line(["target", "≤ 1200", "", "", "", "1.00", "1.00", "1.00", ""]);
const missed = [];
if (med.lcp > 1200) missed.push(`LCP ${ms(med.lcp)} ms > 1200`);
for (const [k, n] of [["perf", "performance"], ["a11y", "accessibility"], ["bp", "best-practices"]]) if (med[k] < 1) missed.push(`${n} ${sc(med[k])}`);
console.log(missed.length ? `\nmissed (median): ${missed.join(", ")}` : "\nall targets met (median)");

// Why, from the last run: what cost points, the LCP element and its phases, the requests.
const au = last.audits, short = (u) => u.replace(/^https?:\/\/127\.0\.0\.1:\d+/, "");
for (const [id, cat] of Object.entries(last.categories)) {
  const below = (weighted) => cat.auditRefs.filter((ref) => (ref.weight > 0) === weighted)
    .map((ref) => au[ref.id])
    .filter((x) => x && x.score !== null && x.score < 1 && !["informative", "notApplicable", "manual"].includes(x.scoreDisplayMode))
    .map((x) => `${x.id} ${x.score}${x.displayValue ? ` (${x.displayValue})` : ""}`);
  if (below(true).length) console.log(`\n${id}, weighted audits below 1 (run ${runs}): ${below(true).join(", ")}`);
  if (below(false).length) console.log(`${id}, unweighted hints below 1 (run ${runs}): ${below(false).join(", ")}`);
}
const lcpEl = au["largest-contentful-paint-element"]?.details?.items ?? [];
const node = lcpEl[0]?.items?.[0]?.node;
if (node) console.log(`\nLCP element (run ${runs}): ${node.selector}: "${node.nodeLabel}"`);
const phases = lcpEl[1]?.items ?? [];
if (phases.length) console.log("LCP phases (simulated): " + phases.map((p) => `${p.phase} ${Math.round(p.timing)} ms`).join(", "));
const m = au.metrics.details.items[0];
console.log(`observed, unthrottled: FCP ${m.observedFirstContentfulPaint} ms, LCP ${m.observedLargestContentfulPaint} ms, DOMContentLoaded ${m.observedDomContentLoaded} ms, load ${m.observedLoad} ms`);
// Lantern (the "simulate" model) estimates LCP from every request that had *finished* by the
// observed LCP, whatever its priority: each one marked * is downloaded at slow 4G before LCP.
console.log(`requests (run ${runs}; observed, unthrottled; * = finished by the observed LCP, so in the simulated LCP):`);
for (const r of au["network-requests"].details.items) {
  const counted = r.networkEndTime <= m.observedLargestContentfulPaint ? "*" : " ";
  console.log(` ${counted} ${short(r.url).padEnd(58)} ${r.resourceType.padEnd(10)} ${r.priority.padEnd(8)} ` +
    `${Math.round(r.networkRequestTime)}-${Math.round(r.networkEndTime)} ms  ${(r.transferSize / 1024).toFixed(1)} KiB on the wire`);
}
console.log(`\nreports: ${out}/run-N.report.{json,html}`);
JS
