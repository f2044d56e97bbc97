import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect } from "./fixtures";
import { binary } from "../servers";

// The built binary installed as the README's "Deploying" section says (its own folder with the
// binary, hash.txt, Leptos.toml and the bundle as `site`) and started with settings a real
// deployment might have. The simulators sign anyone in as anyone, so every configuration that
// could put them where others reach them must stop start-up, naming the setting to fix.

const root = path.resolve(__dirname, "..", "..");

function install(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "truecaller-signin-deploy-"));
  for (const file of [binary, path.join(path.dirname(binary), "hash.txt"), path.join(root, "Leptos.toml")]) {
    fs.copyFileSync(file, path.join(dir, path.basename(file)));
  }
  fs.cpSync(path.join(root, "target", "site"), path.join(dir, "site"), { recursive: true });
  fs.chmodSync(path.join(dir, "truecaller-signin"), 0o755);
  return dir;
}

function start(dir: string, port: number, env: Record<string, string>): ChildProcess {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TRUECALLER_|SANDBOX_|PUBLIC_URL|TRUSTED_|UNSAFE_)/.test(name)),
  );
  return spawn("./truecaller-signin", [], {
    cwd: dir,
    env: {
      ...clean,
      LEPTOS_OUTPUT_NAME: "truecaller-signin",
      LEPTOS_SITE_ROOT: "site",
      LEPTOS_HASH_FILES: "true",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: "PROD",
      RUST_LOG: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

// One installation for every start below (the debug binary is large; copying it for each test
// would slow the journeys running beside these), each start with a database of its own.
test.describe.configure({ mode: "serial" });
let dir = "";
test.beforeAll(() => {
  dir = install();
});
test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the binary to its end (at most 20 s) and returns its exit code and what it wrote. */
async function refusal(env: Record<string, string>, port: number): Promise<{ code: number | null; output: string }> {
  const child = start(dir, port, { DATABASE_URL: `sqlite://${dir}/data/refused-${port}.db`, ...env });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 20_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output };
}

const refused: { name: string; env: Record<string, string>; setting: string }[] = [
  { name: "no key on a public listening address", env: { LEPTOS_SITE_ADDR: "0.0.0.0:3110" }, setting: "LEPTOS_SITE_ADDR" },
  { name: "no key behind an https address", env: { PUBLIC_URL: "https://signin.example.com" }, setting: "PUBLIC_URL" },
  {
    name: "live DigiLocker beside a simulated Truecaller",
    env: { SANDBOX_API_KEY: "key_live_abc", SANDBOX_API_SECRET: "secret" },
    setting: "TRUECALLER_APP_KEY",
  },
  { name: "a proxy header believed from anyone", env: { TRUSTED_PROXY_HEADER: "x-forwarded-for" }, setting: "TRUSTED_PROXIES" },
  { name: "a demo beside a live key", env: { UNSAFE_PUBLIC_DEMO: "yes", TRUECALLER_APP_KEY: "key" }, setting: "UNSAFE_PUBLIC_DEMO" },
];

refused.forEach(({ name, env, setting }, i) => {
  test(`start-up is refused with ${name}, naming ${setting}`, async () => {
    const { code, output } = await refusal(env, 3111 + i);
    expect(code, output).toBe(2);
    expect(output).toContain(`configuration error: ${setting}:`);
    expect(output).not.toContain("key_live_abc");
  });
});

test("a public demo says on every page that anyone can sign in as anyone", async ({ page }) => {
  const child = start(dir, 3120, {
    LEPTOS_SITE_ADDR: "0.0.0.0:3120",
    UNSAFE_PUBLIC_DEMO: "yes",
    DATABASE_URL: `sqlite://${dir}/data/demo.db`,
  });
  try {
    await expect
      .poll(async () => (await fetch("http://127.0.0.1:3120/healthz").catch(() => null))?.status, { timeout: 20_000 })
      .toBe(200);
    await page.goto("http://127.0.0.1:3120/");
    await page.locator("body[data-hydrated]").waitFor();
    const banner = page.getByRole("complementary", { name: "Public demo" });
    await expect(banner).toContainText("Anyone can sign in here as any number");
    await expect(page.locator("html")).toHaveAttribute("data-simulated", "truecaller digilocker demo");
    // Hydrated, the banner is the same.
    await expect(banner).toContainText("simulated phone");
  } finally {
    const stopped = new Promise((resolve) => (child.exitCode === null ? child.on("exit", resolve) : resolve(null)));
    child.kill("SIGTERM");
    await stopped;
  }
});
