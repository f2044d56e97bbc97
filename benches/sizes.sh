#!/usr/bin/env bash
# P2 bundle sizes: the release bundle `make release` built in target/site/pkg, next to a
# hello-world Leptos app built with the same profile, wasm-bindgen and wasm-opt -Oz (what
# cargo-leptos runs). Sizes raw, gzip -9 and brotli -11 (node's zlib), as served precompressed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
# hello-world: a counter; hello-world+router: plus router, title and one server function.
for variant in hello-world hello-world+router; do
    out="target/hello-world/pkg/$variant"
    features=""
    [ "$variant" = "hello-world+router" ] && features="--features router"
    rm -rf "$out" && mkdir -p "$out"
    (cd benches/hello-world && cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
        --target-dir ../../target/hello-world $features 2>&1 | tail -1)
    wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name hello-world \
        target/hello-world/wasm32-unknown-unknown/wasm-release/hello_world.wasm
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$out/hello-world_bg.wasm" -o "$out/hello-world_bg.wasm"
done
node - target/hello-world/pkg/hello-world target/hello-world/pkg/hello-world+router target/site/pkg <<'JS'
const fs = require("fs"), path = require("path"), zlib = require("zlib");
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
console.log("| bundle | file | raw | gzip | brotli |");
console.log("|---|---|---|---|---|");
const totals = {};
for (const dir of process.argv.slice(2)) {
  const name = dir.includes("hello-world") ? path.basename(dir) : "truecaller-signin";
  totals[name] = [0, 0, 0];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.(wasm|js)$/.test(file)) continue;
    const data = fs.readFileSync(path.join(dir, file));
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    totals[name] = totals[name].map((t, i) => t + [data.length, gz, br][i]);
    console.log(`| ${name} | ${file} | ${kib(data.length)} | ${kib(gz)} | ${kib(br)} |`);
  }
}
for (const [name, [raw, gz, br]] of Object.entries(totals)) {
  console.log(`| ${name} | **wasm + js** | ${kib(raw)} | ${kib(gz)} | ${kib(br)} |`);
}
const app = totals["truecaller-signin"];
for (const floor of ["hello-world", "hello-world+router"]) {
  const target = floor === "hello-world+router" ? " (target ≤ 1.25x)" : "";
  if (app && totals[floor]) console.log(`truecaller-signin / ${floor} (brotli): ${(app[2] / totals[floor][2]).toFixed(2)}x${target}`);
}
JS
