import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";
import { SHORT_COOLDOWN_URL } from "../playwright.config";

// The refused request is a 429 the browser logs as a failed resource load.
test.use({ allowed: [/status of 429/] });

test("after two rejections the number is paused, the page says so, and the pause ends", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page, `${SHORT_COOLDOWN_URL}/`);
  await requestPrompt(page, `+${number}`);
  for (const round of [1, 2]) {
    await answerOnPhone(page, number, "Reject", SHORT_COOLDOWN_URL);
    await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();
    await page.getByRole("button", { name: "Try again" }).click();
    if (round === 1) await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  }

  const notice = page.locator(".throttled");
  await expect(notice).toContainText("declined twice recently");
  await expect(notice).toContainText("You can try again in 0:");
  const send = page.getByRole("button", { name: "Continue with Truecaller" });
  await expect(send).toBeDisabled();

  // The server's cool-down is 5 s here; the page counts down the coarse Retry-After and clears.
  await expect(notice).toBeHidden({ timeout: 15_000 });
  await expect(send).toBeEnabled();
  await send.click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
});
