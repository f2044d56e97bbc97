import { defineConfig } from "@playwright/test";
import path from "node:path";

// Runs the binary `cargo leptos build` produced, three times: the default configuration, one with
// a short timeout for the timeout and late-approval journeys, and one with a short cool-down after
// rejections (and the usual timeout, so the rounds of rejecting are not raced by the deadline on
// a loaded machine). Each starts from an empty database.
const root = path.resolve(__dirname, "..");
const binary = process.env.APP_BINARY ?? path.join(root, "target", "debug", "truecaller-signin");

export const MAIN_URL = "http://127.0.0.1:3100";
export const SHORT_TIMEOUT_URL = "http://127.0.0.1:3101";
export const SHORT_COOLDOWN_URL = "http://127.0.0.1:3102";

// All journeys come from 127.0.0.1 and several share a browser profile: the per-address and
// per-browser limits are lifted here (the integration tests cover them).
const EVERY_JOURNEY_FROM_ONE_ADDRESS = {
  RATE_IP_PER_MINUTE: "100000",
  RATE_IP_PER_HOUR: "100000",
  RATE_BROWSER_PER_HOUR: "100000",
};

function server(name: string, port: number, env: Record<string, string>) {
  const dir = path.join(__dirname, ".state", name);
  return {
    command: `rm -rf "${dir}" && mkdir -p "${dir}" && exec "${binary}"`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      LEPTOS_OUTPUT_NAME: "truecaller-signin",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: "PROD",
      // cargo-leptos writes the bundle's hashed names next to the binary (hash.txt).
      LEPTOS_HASH_FILES: "true",
      APP_CONFIG: path.join(root, "Leptos.toml"),
      DATABASE_URL: `sqlite://${dir}/app.db`,
      RUST_LOG: "warn",
      ...env,
    },
  };
}

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
  ],
});
