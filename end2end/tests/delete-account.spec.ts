import AxeBuilder from "@axe-core/playwright";
import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";

async function signIn(page: Page, number: string) {
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/account$/);
}

test("the person downloads their data, then deleting the account signs out every browser, and the number starts afresh", async ({ page, browser }) => {
  const number = freshNumber();
  // The same person on another device.
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, number);
  await signIn(page, number);
  await expect(page.getByText(/Signed in 2 times/)).toBeVisible();

  // What is kept, as a file: the link is left to the browser (a download, not a route).
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download my data" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("my-data.json");
  const data = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(data.account.phone).toBe(number);
  expect(data.account.sign_ins).toHaveLength(2);

  await page.getByRole("link", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/account\/delete$/);
  await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(severe, "axe on the confirmation").toEqual([]);

  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/\?deleted$/);
  await expect(page.getByRole("status").filter({ hasText: "Your account was deleted." })).toBeVisible();
  await expect(page.getByLabel("Mobile number")).toBeVisible();

  // The other device is signed out on its next request.
  await elsewhere.goto("/account");
  await expect(elsewhere).toHaveURL(/\/$/);
  await expect(elsewhere.getByLabel("Mobile number")).toBeVisible();

  // Signing in again with the number makes a new account.
  await signIn(page, number);
  await expect(page.getByText(/Your account is ready/)).toBeVisible();
  await expect(page.getByText(/Signed in 1 time\./)).toBeVisible();
});
