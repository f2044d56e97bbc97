# The two commands in the README: `make dev` runs the app in simulator mode, `make test` runs
# every test. Both install what is missing first (.ci/setup).
.PHONY: setup dev build release test layers unit postgres-check fault-check e2e shop docs bench faults lighthouse

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
test: setup layers build unit postgres-check fault-check e2e shop docs

# The source's shape: no import circle between source files, no source file over 400 non-blank
# lines outside its tests.
layers:
	python3 .ci/layers.py

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

# The example host (examples/shop): its own cargo-leptos build into the shared target directory
# (only the shop and the crate compile), then a shopper's journey in Chromium against it.
shop:
	cd examples/shop && cargo leptos build
	cd end2end && npx playwright test -c shop.config.ts

# The library as a dependent sees it: the README's snippets are the example shop's code, rustdoc
# without a warning, a server built with SQLite alone (no simulators, no DigiLocker) refuses what
# it cannot honour and offers no DigiLocker (`.ci/features.sh`), the server half builds with
# PostgreSQL alone (the shop builds SQLite + DigiLocker), and the package builds from what it ships.
docs: build
	python3 .ci/snippets.py
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --features ssr
	bash .ci/features.sh
	cargo check --lib --no-default-features --features ssr,postgres,simulator
	cargo publish --dry-run --allow-dirty

# Every figure in BENCHMARKS.md in one run, each printed next to its target: the server and
# simulator over loopback (throughput, held requests, memory, callback acks) on SQLite; memory and
# callback acks again on PostgreSQL; the same sign-ins on SQLite, PostgreSQL and two instances
# (beside a throwaway PostgreSQL, `BENCH_DATABASE=postgres`); then, on the release
# build: bundle sizes against the hello-world floors, Lighthouse on the one-tap page (Lighthouse's
# phone is Android) and on the number form, and approval → name visible in Chromium.
# BENCH_DIVIDE=10 runs a tenth of each load.
bench: release
	bash .ci/setup
	cargo bench --features ssr --bench signin
	bash .ci/postgres env BENCH_DATABASE=postgres BENCH_ONLY=p4 cargo bench --features ssr --bench signin
	bash .ci/postgres env BENCH_DATABASE=postgres BENCH_ONLY=acks cargo bench --features ssr --bench signin
	bash .ci/postgres cargo bench --features ssr --bench instances
	bash benches/sizes.sh
	LIGHTHOUSE_PATH=/ bash benches/lighthouse.sh
	LIGHTHOUSE_PATH=/?with=number bash benches/lighthouse.sh
	cd end2end && APP_BINARY=$(CURDIR)/target/release/truecaller-signin npx playwright test -c bench.config.ts

# Fault injection: 10,000 sign-ins with profile 503s, duplicated and late callbacks, and a
# server restart halfway; prints the table in RELIABILITY.md.
faults:
	SETUP_BROWSER=0 bash .ci/setup
	cargo bench --features ssr --bench faults

# Lighthouse on the sign-in page of the release build (mobile, simulated slow 4G; offline),
# LIGHTHOUSE_RUNS times (3): a table of LCP, FCP, TBT, CLS and the scores, each run and the
# median; reports in target/lighthouse/. LIGHTHOUSE_PATH=/?with=number measures the number form
# (Lighthouse's phone is Android, so / is the one-tap page). Builds nothing: `make release` first.
lighthouse:
	@test -x target/release/truecaller-signin || { echo "target/release/truecaller-signin is missing: run \`make release\` first" >&2; exit 1; }
	bash benches/lighthouse.sh
