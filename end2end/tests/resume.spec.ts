import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";

test("reloading while waiting resumes the same wait", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);

  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await expect(page.getByLabel("time left")).toHaveText(/^0:[0-5]\d$/);

  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: `Sim User ${number.slice(-4)}` })).toBeVisible();
});
