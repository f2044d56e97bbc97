import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber } from "./fixtures";

test("signing out ends the session", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/account$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel("Mobile number")).toBeVisible();

  await page.goto("/account");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel("Mobile number")).toBeVisible();
});
