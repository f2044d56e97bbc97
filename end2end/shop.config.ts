import path from "node:path";
import { defineConfig } from "@playwright/test";

// The example shop (examples/shop), a host of the crate built by its own `cargo leptos build`
// into the shared target directory, started as its README says, from an empty database.
const root = path.resolve(__dirname, "..");
const dir = path.join(__dirname, ".state", "shop");
export const SHOP_URL = "http://127.0.0.1:3120";

export default defineConfig({
  testDir: "./shop",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report/shop" }]],
  use: {
    baseURL: SHOP_URL,
    locale: "en-IN",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: [
      `rm -rf "${dir}"`,
      `mkdir -p "${dir}/data"`,
      `cp -r "${path.join(root, "examples", "shop", "target", "site")}" "${dir}/site"`,
      `cd "${dir}"`,
      `exec "${path.join(root, "target", "debug", "shop")}"`,
    ].join(" && "),
    url: `${SHOP_URL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_OUTPUT_NAME: "shop",
      LEPTOS_SITE_ROOT: "site",
      LEPTOS_SITE_ADDR: "127.0.0.1:3120",
      LEPTOS_ENV: "PROD",
      DATABASE_URL: `sqlite://${dir}/data/shop.db`,
      RUST_LOG: "warn",
    },
  },
});
