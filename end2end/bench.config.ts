import { defineConfig } from "@playwright/test";
import { EVERY_JOURNEY_FROM_ONE_ADDRESS, server } from "./servers";

// Timed journeys for `make bench`: one server (APP_BINARY, the release build there), one journey
// at a time so nothing else shares the two cores, no retries (a measurement, not a check).
export const BENCH_URL = "http://127.0.0.1:3110";

export default defineConfig({
  testDir: "./bench",
  timeout: 300_000,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: BENCH_URL,
    locale: "en-IN",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  webServer: [server("bench", 3110, EVERY_JOURNEY_FROM_ONE_ADDRESS)],
});
