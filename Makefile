# The two commands in the README: `make dev` runs the app in simulator mode, `make test` runs
# every test. Both install what is missing first (.ci/setup).
.PHONY: setup dev build release test unit e2e bench

setup:
	bash .ci/setup

dev:
	SETUP_BROWSER=0 bash .ci/setup
	cargo leptos watch

build:
	cargo leptos build

# Size-optimised bundle (opt-level z, LTO, wasm-opt), precompressed with brotli and gzip.
release:
	SETUP_BROWSER=0 SETUP_RELEASE=1 bash .ci/setup
	PATH="$(CURDIR)/.tools/node_modules/.bin:$$PATH" cargo leptos build --release --precompress

# Unit, property and integration tests (the server in-process against the simulator), then
# Playwright in Chromium against the built server.
test: setup build unit e2e

# Includes a bounded fuzz pass: every property in src/tests/properties.rs tries PROPTEST_CASES
# inputs (4000 here; raise it for a longer hunt).
unit:
	PROPTEST_CASES=$${PROPTEST_CASES:-4000} cargo test --features ssr

e2e:
	cd end2end && npx playwright test

# Drives the real server and simulator over loopback and prints the tables in BENCHMARKS.md.
# BENCH_DIVIDE=10 runs a tenth of each load.
bench:
	SETUP_BROWSER=0 bash .ci/setup
	cargo bench --features ssr --bench signin
