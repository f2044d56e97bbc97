import { defineConfig } from "@playwright/test";
import path from "node:path";

// Runs the binary `cargo leptos build` produced, installed and started exactly as the README's
// "Deploying" section says (its own folder holding the binary, its hash.txt, Leptos.toml and the
// bundle as `site`; started from there with the documented settings), three times: the default
// configuration, one with a short timeout for the timeout and late-approval journeys, and one
// with a short cool-down after rejections (and the usual timeout, so the rounds of rejecting are
// not raced by the deadline on a loaded machine). Each starts from an empty database. With
// PostgreSQL at hand (`E2E_POSTGRES_URL`, set by `.ci/postgres`, which `make e2e` runs under), two
// more instances share it, as behind a balancer.
const root = path.resolve(__dirname, "..");
const binary = process.env.APP_BINARY ?? path.join(root, "target", "debug", "truecaller-signin");

export const MAIN_URL = "http://127.0.0.1:3100";
export const SHORT_TIMEOUT_URL = "http://127.0.0.1:3101";
export const SHORT_COOLDOWN_URL = "http://127.0.0.1:3102";
export const INSTANCE_A_URL = "http://127.0.0.1:3103";
export const INSTANCE_B_URL = "http://127.0.0.1:3104";

// All journeys come from 127.0.0.1, several share a browser profile, and several use the
// simulator's few fixed numbers (the one not on Truecaller, in every language's accessibility
// check too): the per-address, per-browser and per-number limits are lifted here (the
// integration tests cover them).
const EVERY_JOURNEY_FROM_ONE_ADDRESS = {
  RATE_IP_PER_MINUTE: "100000",
  RATE_IP_PER_HOUR: "100000",
  RATE_BROWSER_PER_HOUR: "100000",
  RATE_NUMBER_PER_15_MIN: "100000",
  RATE_NUMBER_PER_DAY: "100000",
};

function server(name: string, port: number, env: Record<string, string>) {
  const dir = path.join(__dirname, ".state", name);
  const install = [
    `rm -rf "${dir}"`,
    `mkdir -p "${dir}/data"`,
    `cp "${binary}" "${path.join(path.dirname(binary), "hash.txt")}" "${path.join(root, "Leptos.toml")}" "${dir}/"`,
    `cp -r "${path.join(root, "target", "site")}" "${dir}/site"`,
    `cd "${dir}"`,
    `exec ./truecaller-signin`,
  ];
  return {
    command: install.join(" && "),
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      LEPTOS_OUTPUT_NAME: "truecaller-signin",
      LEPTOS_SITE_ROOT: "site",
      LEPTOS_HASH_FILES: "true",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: "PROD",
      DATABASE_URL: `sqlite://${dir}/data/app.db`,
      RUST_LOG: "warn",
      ...env,
    },
  };
}

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
