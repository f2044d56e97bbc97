import { test, expect } from "./fixtures";

test("bundle files carry content hashes and may be cached for a year", async ({ page }) => {
  const pkg: { url: string; cacheControl: string | undefined }[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/pkg/")) pkg.push({ url: r.url(), cacheControl: r.headers()["cache-control"] });
  });
  await page.goto("/");
  await page.locator("body[data-hydrated]").waitFor();
  const names = pkg.map((p) => new URL(p.url).pathname);
  expect(names.some((n) => /^\/pkg\/truecaller-signin\.[\w-]+\.js$/.test(n)), names.join(", ")).toBe(true);
  expect(names.some((n) => /^\/pkg\/truecaller-signin\.[\w-]+\.wasm$/.test(n)), names.join(", ")).toBe(true);
  for (const p of pkg) expect(p.cacheControl, p.url).toBe("public, max-age=31536000, immutable");
});
