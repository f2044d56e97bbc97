import { test, expect, gotoApp, requestPrompt, freshNumber, answerOnPhone } from "./fixtures";
import { SHORT_TIMEOUT_URL } from "../playwright.config";

// The short-timeout server waits 3 s for an answer, within a 30 s lock: the page warns at once,
// and "Need more time?" can give up to the lock's end.
test("'Need more time?' extends the wait, says so, and the page warns near the end", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page, `${SHORT_TIMEOUT_URL}/`);
  await requestPrompt(page, `+${number}`);
  const note = page.locator(".time-note");
  await expect(note).toHaveText("Less than 20 seconds left. Need more time?");

  await page.getByRole("button", { name: "Need more time?" }).click();
  await expect(note).toHaveText(/^More time given\. The countdown restarted at 0:(2\d|30)\.$/);
  await expect(page.getByLabel("time left")).toHaveText(/^0:(2\d|30)$/);
  // The original 3 s have long passed once the countdown is under 0:21: still waiting.
  await expect(page.getByLabel("time left")).toHaveText(/^0:(1\d|20)$/, { timeout: 15_000 });
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await expect(note).toHaveText(/^Less than 20 seconds left\./);

  await answerOnPhone(page, number, "Approve", SHORT_TIMEOUT_URL);
  await expect(page).toHaveURL(/\/account$/);
});
