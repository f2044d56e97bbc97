import { test, expect, gotoApp, requestPrompt, answerOnPhone } from "./fixtures";

test("approving on the phone lands on the signed-in page with the name", async ({ page }) => {
  await gotoApp(page);
  await expect(page.getByLabel("Simulator mode")).toBeVisible();
  await requestPrompt(page, "+91 99999 99999");
  await expect(page.getByText("+91 •••••••• 99")).toBeVisible();
  await expect(page.getByLabel("time left")).toHaveText(/^[01]:\d\d$/);

  await answerOnPhone(page, "919999999999", "Approve");

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Rajat Kapoor" })).toBeVisible();
  await expect(page.getByText("Welcome, Rajat Kapoor! Your account is ready.")).toBeVisible();
  // Masked on the account page as everywhere else.
  await expect(page.locator(".account-header .phone")).toHaveText("+91 •••••••• 99");
  await expect(page.locator(".ways-in")).toHaveText("Truecaller (verified)");
  await expect(page.getByText("rajat@example.com")).toBeVisible();
});
