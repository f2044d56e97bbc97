import { test, expect, gotoApp, requestPrompt, freshNumber } from "./fixtures";
import { SHORT_TIMEOUT_URL } from "../playwright.config";

test("an unanswered prompt times out with a clear screen", async ({ page }) => {
  await gotoApp(page, `${SHORT_TIMEOUT_URL}/`);
  await requestPrompt(page, `+${freshNumber()}`);
  await expect(page.getByRole("heading", { name: "No answer in time" })).toBeVisible({ timeout: 8_000 });
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Use another number" })).toBeVisible();
});
