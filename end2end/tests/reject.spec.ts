import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";

test("rejecting on the phone shows the declined screen with a way forward", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Reject");

  await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();
  await page.getByRole("button", { name: "Use another number" }).click();
  await expect(page.getByLabel("Mobile number")).toHaveValue("");

  await page.goto("/account");
  await expect(page).toHaveURL(/\/$/);
});

test("a new number sent while 'Use another number' is still on its way signs in", async ({ page }) => {
  const declined = freshNumber();
  await gotoApp(page);
  await requestPrompt(page, `+${declined}`);
  await answerOnPhone(page, declined, "Reject");
  await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();

  // The cancel is held back, as on a slow connection, until the page sends its next request or
  // 1.5 s pass. Sent while the cancel was out, the new start's session would be overwritten by
  // the cancel's answer, and the approval below would sign nobody in.
  const order: string[] = [];
  await page.route("**/api/signin/cancel", async (route) => {
    const next = page.waitForRequest(/\/api\/signin\/(initiate|status)/, { timeout: 1500 }).catch(() => null);
    await next;
    order.push("cancel released");
    await route.continue();
  });
  page.on("request", (request) => {
    if (request.url().endsWith("/api/signin/initiate")) order.push("initiate sent");
  });
  page.on("requestfinished", (request) => {
    if (request.url().endsWith("/api/signin/cancel")) order.push("cancel answered");
  });

  await page.getByRole("button", { name: "Use another number" }).click();
  const approved = freshNumber();
  await requestPrompt(page, `+${approved}`);
  expect(order).toEqual(["cancel released", "cancel answered", "initiate sent"]);
  await answerOnPhone(page, approved, "Approve");
  await expect(page).toHaveURL(/\/account$/);
});
