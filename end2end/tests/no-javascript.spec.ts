import { test, expect, freshNumber } from "./fixtures";

// The whole journey with JavaScript off: plain form posts, and a waiting page that reloads itself
// through a request the server holds until the status changes.
test.use({ javaScriptEnabled: false });
// A refused number is answered with the page itself and a 400, which Chromium logs.
test.use({ allowed: [/status of 400 \(Bad Request\)/] });

test("signing in works without JavaScript", async ({ page }) => {
  const number = freshNumber();
  await page.goto("/");
  await page.getByLabel("Mobile number").fill("12345");
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("alert")).toHaveText("That number is too short for India.");
  await expect(page.getByLabel("Mobile number")).toHaveValue("12345");

  // The country is a plain select here; a national number is read in the one chosen, and a
  // refusal brings the form back as it was sent.
  await page.getByLabel("Country").selectOption("GB");
  await page.getByLabel("Mobile number").fill("07700 9001");
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("alert")).toHaveText("That number is too short for United Kingdom.");
  await expect(page.getByLabel("Country")).toHaveValue("GB");
  await page.getByLabel("Country").selectOption("IN");

  await page.getByLabel("Mobile number").fill(`+${number}`);
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();

  const phone = await page.context().newPage();
  await phone.goto("/simulator");
  await phone.getByRole("listitem").filter({ hasText: `+${number}` }).getByRole("button", { name: "Approve" }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: `Sim User ${number.slice(-4)}` })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel("Mobile number")).toBeVisible();
});

test("using another number works without JavaScript", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Mobile number").fill(`+${freshNumber()}`);
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await page.getByRole("button", { name: "Use another number" }).click();
  await expect(page.getByLabel("Mobile number")).toBeVisible();
});
