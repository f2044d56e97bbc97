import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";
import { SHORT_TIMEOUT_URL } from "../playwright.config";

test("an approval after the timeout signs nobody in and the page says so", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page, `${SHORT_TIMEOUT_URL}/`);
  await requestPrompt(page, `+${number}`);
  await expect(page.getByRole("heading", { name: "No answer in time" })).toBeVisible({ timeout: 8_000 });

  await answerOnPhone(page, number, "Approve", SHORT_TIMEOUT_URL);
  await expect(page.getByRole("heading", { name: "Approved too late" })).toBeVisible();
  await expect(page.locator(".approved-late")).toContainText("nobody was signed in");

  await page.goto(`${SHORT_TIMEOUT_URL}/account`);
  await expect(page).toHaveURL(/\/$/);
});
