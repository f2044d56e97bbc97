import { defineConfig } from "@playwright/test";

// Runs the binary `cargo leptos build` produced, installed and started exactly as the README's
// "Deploying" section says (its own folder holding the binary, its hash.txt, Leptos.toml and the
// bundle as `site`; started from there with the documented settings), three times: the default
// configuration, one with a short timeout for the timeout and late-approval journeys, and one
// with a short cool-down after rejections (and the usual timeout, so the rounds of rejecting are
// not raced by the deadline on a loaded machine). Each starts from an empty database. With
// PostgreSQL at hand (`E2E_POSTGRES_URL`, set by `.ci/postgres`, which `make e2e` runs under), two
// more instances share it, as behind a balancer.
import { EVERY_JOURNEY_FROM_ONE_ADDRESS, INSTANCE_A_URL, MAIN_URL, server } from "./servers";

export { INSTANCE_A_URL, INSTANCE_B_URL, MAIN_URL, SHORT_COOLDOWN_URL, SHORT_TIMEOUT_URL } from "./servers";

// Instance A runs the simulator; B talks to A's simulator as to Truecaller, so a prompt asked for
// by a browser on B is answered with a callback to A.
const postgres = process.env.E2E_POSTGRES_URL;
const instances = postgres
  ? [
      server("instance-a", 3103, { ...EVERY_JOURNEY_FROM_ONE_ADDRESS, DATABASE_URL: postgres }),
      server("instance-b", 3104, {
        ...EVERY_JOURNEY_FROM_ONE_ADDRESS,
        DATABASE_URL: postgres,
        TRUECALLER_APP_KEY: "simulator-app-key",
        TRUECALLER_API_URL: `${INSTANCE_A_URL}/simulator`,
        TRUECALLER_PROFILE_URL: `${INSTANCE_A_URL}/simulator`,
      }),
    ]
  : [];

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: MAIN_URL,
    // English as spoken in India: the page is in English and the country picker starts on India
    // (it starts on the region the browser's language names, so en-US would pick the US).
    locale: "en-IN",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  // The timed journeys run last and alone, so the other journeys' load on two cores does not
  // blur what they measure.
  projects: [
    { name: "journeys", testIgnore: /(push|one-tap-absent)\.spec\.ts/ },
    { name: "latency", testMatch: /push\.spec\.ts/, dependencies: ["journeys"] },
    { name: "latency-one-tap", testMatch: /one-tap-absent\.spec\.ts/, dependencies: ["latency"] },
  ],
  webServer: [
    server("main", 3100, EVERY_JOURNEY_FROM_ONE_ADDRESS),
    // Short timeout; the lock outlasts it so a late approval can still reach the timed-out page.
    server("short-timeout", 3101, {
      ...EVERY_JOURNEY_FROM_ONE_ADDRESS,
      SIGNIN_TIMEOUT_SECS: "3",
      SIGNIN_LOCK_SECS: "30",
    }),
    // Short cool-down after two rejections.
    server("short-cooldown", 3102, { ...EVERY_JOURNEY_FROM_ONE_ADDRESS, DECLINE_COOLDOWN_SECS: "5" }),
    ...instances,
  ],
});
