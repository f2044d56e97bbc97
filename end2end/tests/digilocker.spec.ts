import { test, expect, gotoApp, requestPrompt, answerOnPhone, freshNumber, submitNumber } from "./fixtures";
import type { Page } from "@playwright/test";

// DigiLocker as the way forward when Truecaller can't finish: a full-page trip to the (simulated)
// DigiLocker consent page and back.

/** On the simulated consent page: answer as `person`. */
async function consentAs(page: Page, person: string, answer: "Allow" | "Deny" | "Let it expire") {
  await expect(page).toHaveURL(/\/simulator\/digilocker\/authorize\?/);
  await expect(page.getByRole("heading", { name: "DigiLocker (simulated)" })).toBeVisible();
  await page.getByLabel("Sign in as").selectOption(person);
  await page.getByRole("button", { name: answer }).click();
}

test("rejected on Truecaller, then verified with DigiLocker: signed in", async ({ page }) => {
  const number = freshNumber();
  await gotoApp(page);
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Reject");
  await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();

  await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
  await consentAs(page, "arjun", "Allow");

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Arjun Venkatesh Nair" })).toBeVisible();
  await expect(page.locator(".account-header .phone")).toHaveText("+91 •••••••• 45");
  await expect(page.locator(".ways-in")).toContainText("DigiLocker (verified)");
  // KYC data beyond the name and number is not shown (or kept).
  await expect(page.getByText("02/01/1975")).toHaveCount(0);
});

test("not a Truecaller user, then DigiLocker consent denied: says so, with a next step", async ({ page }) => {
  await gotoApp(page);
  await submitNumber(page, "+91 98765 00001");
  await expect(page.getByRole("heading", { name: "This number isn't on Truecaller" })).toBeVisible();

  await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
  await consentAs(page, "priya", "Deny");

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "You didn't share your DigiLocker profile" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Verify with DigiLocker" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Use Truecaller instead" }).click();
  await expect(page.getByLabel("Mobile number")).toBeVisible();
});

test("a DigiLocker request left to expire says so", async ({ page }) => {
  await gotoApp(page);
  // The phone form offers DigiLocker as the second choice.
  await expect(page.getByText("Use DigiLocker if you don't have Truecaller on this phone.")).toBeVisible();
  await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
  await consentAs(page, "priya", "Let it expire");
  await expect(page.getByRole("heading", { name: "The DigiLocker request expired" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("DigiLocker from the phone form signs in with plain pages", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
    await consentAs(page, "meera", "Allow");
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { name: "Meera Iyer" })).toBeVisible();
  });

  test("a denied DigiLocker request explains itself", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
    await consentAs(page, "priya", "Deny");
    await expect(page.getByRole("heading", { name: "You didn't share your DigiLocker profile" })).toBeVisible();
  });
});
