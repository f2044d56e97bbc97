import AxeBuilder from "@axe-core/playwright";
import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";
import type { Page } from "@playwright/test";

async function signIn(page: Page, number: string) {
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/account$/);
}

test("the account page lists both browsers signed in, signs the other out, and says what is kept", async ({ page, browser }) => {
  const number = freshNumber();
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, number);
  await signIn(page, number);

  const devices = page.locator("li.device");
  await expect(page.getByRole("heading", { name: "Your devices" })).toBeVisible();
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: "This device" })).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "What we received" })).toBeVisible();
  await expect(page.getByText("Sign-in attempts, with the number typed: 24 hours.")).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(severe, "axe on the account page").toEqual([]);

  // The other browser's own "Sign out" (named for it), a plain form post.
  const other = devices.filter({ hasNotText: "This device" });
  await other.getByRole("button", { name: /^Sign out / }).click();
  await expect(page).toHaveURL(/\/account#devices$/);
  await expect(devices).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Sign out everywhere else" })).toHaveCount(0);

  // Signed out on its next request.
  await elsewhere.goto("/account");
  await expect(elsewhere).toHaveURL(/\/$/);
  await expect(elsewhere.getByLabel("Mobile number")).toBeVisible();
});
