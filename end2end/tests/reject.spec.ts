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
