# The two commands in the README: `make dev` runs the app in simulator mode, `make test` runs
# every test. Both install what is missing first (.ci/setup).
.PHONY: setup dev build release test unit postgres-check fault-check e2e bench faults

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
test: setup build unit postgres-check fault-check e2e

# Includes a bounded fuzz pass: every property in src/tests/properties.rs tries PROPTEST_CASES
# inputs (4000 here; raise it for a longer hunt).
unit:
	PROPTEST_CASES=$${PROPTEST_CASES:-4000} cargo test --features ssr

# The integration suite again on PostgreSQL: a throwaway server (.ci/postgres starts it on a free
# port and removes it afterwards), a fresh database per test app.
postgres-check:
	bash .ci/postgres cargo test --features ssr --test integration

# A bounded fault-injection run in CI (debug build, 1,000 sign-ins): fails if an approval is lost
# or anyone is signed in as someone else. `make faults` is the full 10,000 (RELIABILITY.md).
fault-check:
	FAULT_SIGN_INS=1000 cargo bench --profile dev --features ssr --bench faults

# Beside a throwaway PostgreSQL, so two instances sharing it are tested too (without one, as under
# `cargo leptos end-to-end`, that journey is skipped).
e2e:
	bash .ci/postgres sh -c 'cd end2end && npx playwright test'

# Drives the real server and simulator over loopback and prints the tables in BENCHMARKS.md;
# then the same sign-ins on SQLite, PostgreSQL and two instances on PostgreSQL (beside a throwaway
# server). BENCH_DIVIDE=10 runs a tenth of each load.
bench:
	SETUP_BROWSER=0 bash .ci/setup
	cargo bench --features ssr --bench signin
	bash .ci/postgres cargo bench --features ssr --bench instances

# Fault injection: 10,000 sign-ins with profile 503s, duplicated and late callbacks, and a
# server restart halfway; prints the table in RELIABILITY.md.
faults:
	SETUP_BROWSER=0 bash .ci/setup
	cargo bench --features ssr --bench faults
