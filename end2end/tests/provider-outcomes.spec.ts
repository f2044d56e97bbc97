import { test, expect, gotoApp, submitNumber } from "./fixtures";

test("a number without Truecaller is told so, with a way forward", async ({ page }) => {
  await gotoApp(page);
  await submitNumber(page, "+91 98765 00001");
  await expect(page.getByRole("heading", { name: "This number isn't on Truecaller" })).toBeVisible();
  await page.getByRole("button", { name: "Use another number" }).click();
  await expect(page.getByLabel("Mobile number")).toBeVisible();
});

test("a Truecaller outage gets its own screen and a retry", async ({ page }) => {
  await gotoApp(page);
  await submitNumber(page, "+91 98765 00002");
  await expect(page.getByRole("heading", { name: "Truecaller isn't responding" })).toBeVisible();
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Truecaller isn't responding" })).toBeVisible();
});
