import type { Page } from "@playwright/test";
import { test, expect, gotoApp, requestPrompt, freshNumber } from "./fixtures";

// The browser holds a status request open and the server answers it the moment the callback
// lands: the signed-in page must follow an approval well within a second, not a 3 s poll tick.
test("the signed-in page appears well under a second after approval", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page);
  const longPoll = page.waitForRequest((r) => r.url().endsWith("/api/signin/status") && (r.postData() ?? "").includes("wait_ms=2"));
  await requestPrompt(page, `+${number}`);
  // The approval must land on a held request: the page has sent its long-poll, and the server
  // holds it (this project runs alone, so the server's gauge counts this page's request only).
  await longPoll;
  await expect.poll(() => waitingBrowsers(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

  const phone = await page.context().newPage();
  await phone.goto("/simulator");
  const approve = phone.getByRole("listitem").filter({ hasText: `+${number}` }).getByRole("button", { name: "Approve" });
  // The phone page's answer arrives once the app has acknowledged the callback: that is the
  // moment of approval as far as the app can know it.
  const answered = phone.waitForResponse((r) => r.url().endsWith("/approve"));
  // The answer that says "signed in" carries the account: the page that follows draws it without
  // asking for it again (only its second part, the devices and what is kept, is asked for after).
  const accountRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/account")) accountRequests.push(r.url());
  });
  await approve.click();
  await answered;
  const approved = Date.now();
  await expect(page.getByRole("heading", { name: `Sim User ${number.slice(-4)}` })).toBeVisible();
  const elapsed = Date.now() - approved;
  console.log(`approval → signed-in page: ${elapsed} ms`);
  expect(elapsed).toBeLessThan(1_000);
  await expect(page.getByText(`Welcome, Sim User ${number.slice(-4)}! Your account is ready.`)).toBeVisible();
  expect(accountRequests).toEqual([]);
});

/** `signin_waiting_browsers` from the server's `/metrics`: requests held open right now. */
async function waitingBrowsers(page: Page): Promise<number> {
  const text = await (await page.request.get("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith("signin_waiting_browsers "));
  return line ? Number(line.split(" ")[1]) : 0;
}
