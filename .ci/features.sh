#!/usr/bin/env bash
# A server built with only SQLite, without the simulators and without DigiLocker: its unit tests,
# then the server run the way a deployer runs it: each setting it cannot honour stops it with exit
# 2 and the setting's name and the missing Cargo feature; with a key it starts, its page offers no
# DigiLocker and the DigiLocker and simulator routes are not there. The default build's binary is
# put back after.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/truecaller-signin
work=$(mktemp -d)
[ -e "$bin" ] && cp -p "$bin" "$work/default-build"
restore() {
    if [ -n "${server:-}" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    if [ -e "$work/default-build" ]; then cp -p --remove-destination "$work/default-build" "$bin"; fi
    rm -rf "$work"
}
trap restore EXIT

# The unit tests hold in that build too (each names what it needs where the features differ).
cargo test --lib --no-default-features --features ssr,sqlite
cargo build --bin truecaller-signin --no-default-features --features ssr,sqlite
export LEPTOS_HASH_FILES=true DATABASE_URL="sqlite://$work/app.db" LEPTOS_SITE_ADDR=127.0.0.1:3996
failed=0

# refuses EXPECTED SETTINGS...: the server must stop with exit 2 and print EXPECTED.
refuses() {
    local expected=$1 out status=0
    shift
    out=$(env "$@" "$bin" 2>&1) || status=$?
    if [ "$status" -ne 2 ] || ! grep -qF "$expected" <<<"$out"; then
        echo "FAIL: with $* expected exit 2 and \"$expected\"; got exit $status: $out"
        failed=1
    else
        echo "ok: $* -> $expected"
    fi
}
refuses "TRUECALLER_APP_KEY: not set, and this build has no simulator" TRUECALLER_APP_KEY=
refuses "SANDBOX_API_KEY: is set, but this build has no DigiLocker (the \`digilocker\` Cargo feature)" \
    TRUECALLER_APP_KEY=k SANDBOX_API_KEY=a SANDBOX_API_SECRET=b
refuses "DATABASE_URL: this build has no postgres (the \`postgres\` Cargo feature)" \
    TRUECALLER_APP_KEY=k DATABASE_URL=postgres://app:pw@db/app

TRUECALLER_APP_KEY=k "$bin" >"$work/server.log" 2>&1 &
server=$!
url=http://$LEPTOS_SITE_ADDR
for _ in $(seq 100); do curl -sf -o /dev/null "$url/healthz" && break; sleep 0.1; done
page=$(curl -sf "$url/")
status() { curl -s -o /dev/null -w "%{http_code}" "$@"; }
check() {
    if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1 (got $2, expected $3)"; failed=1; fi
}
check "the sign-in page answers" "$(status "$url/")" 200
check "the page offers Truecaller's form" "$(grep -c 'action="/signin"' <<<"$page")" 1
check "the page offers no DigiLocker" "$(grep -c '/digilocker/start' <<<"$page" || true)" 0
check "no DigiLocker route" "$(status -X POST "$url/digilocker/start")" 404
check "no simulator route" "$(status "$url/simulator")" 404
exit $failed
