import path from "node:path";

// How every Playwright server is installed and started: the binary `cargo leptos build` produced
// (or APP_BINARY, e.g. the release build), exactly as the README's "Deploying" section says (its
// own folder holding the binary, its hash.txt, Leptos.toml and the bundle as `site`; started from
// there with the documented settings), each from an empty database.
const root = path.resolve(__dirname, "..");
export const binary = process.env.APP_BINARY ?? path.join(root, "target", "debug", "truecaller-signin");

export const MAIN_URL = "http://127.0.0.1:3100";
export const SHORT_TIMEOUT_URL = "http://127.0.0.1:3101";
export const SHORT_COOLDOWN_URL = "http://127.0.0.1:3102";
export const INSTANCE_A_URL = "http://127.0.0.1:3103";
export const INSTANCE_B_URL = "http://127.0.0.1:3104";

// All journeys come from 127.0.0.1, several share a browser profile, and several use the
// simulator's few fixed numbers (the one not on Truecaller, in every language's accessibility
// check too): the per-address, per-browser and per-number limits are lifted here (the
// integration tests cover them).
export const EVERY_JOURNEY_FROM_ONE_ADDRESS = {
  RATE_IP_PER_MINUTE: "100000",
  RATE_IP_PER_HOUR: "100000",
  RATE_BROWSER_PER_HOUR: "100000",
  RATE_NUMBER_PER_15_MIN: "100000",
  RATE_NUMBER_PER_DAY: "100000",
};

export function server(name: string, port: number, env: Record<string, string>) {
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

