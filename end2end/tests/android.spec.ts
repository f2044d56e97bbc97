import { devices, type Page } from "@playwright/test";
import { test, expect, gotoApp } from "./fixtures";

// Android one-tap on an emulated Pixel 7 (user agent, viewport, touch). In simulator mode the
// Truecaller app is a page of the simulator: tapping "Continue with Truecaller" opens the sheet in
// a new tab, as the real sheet opens over the browser. Playwright keeps every page focused, so a
// test where the sheet "takes focus" says so by stubbing `document.hasFocus`.

const { defaultBrowserType: _, ...pixel } = devices["Pixel 7"];
test.use(pixel);

/** The sheet took the screen: the page reads as not focused, as on a phone. */
async function sheetTakesFocus(page: Page) {
  await page.addInitScript(() => {
    Document.prototype.hasFocus = () => false;
  });
}

/** The one-tap control (the phone form's submit button has the same name). */
const oneTap = (page: Page) => page.locator('a[href="/signin/one-tap"]');

/** Taps the one-tap control; the simulated sheet that opens. */
async function tapOneTap(page: Page): Promise<Page> {
  const opened = page.context().waitForEvent("page");
  await oneTap(page).tap();
  const sheet = await opened;
  await sheet.waitForLoadState();
  await expect(sheet.getByRole("heading", { name: "To continue, please sign in" })).toBeVisible();
  await expect(sheet.getByText("truecaller-signin will get your name and mobile number from Truecaller.")).toBeVisible();
  return sheet;
}

test("installed, Continue on the sheet: signed in with the phone's own number", async ({ page }) => {
  await sheetTakesFocus(page);
  await gotoApp(page);
  // Nothing to type: the one-tap control leads, the number and DigiLocker are the other ways.
  await expect(page.getByLabel("Mobile number")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Use a phone number instead" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Verify with DigiLocker" })).toBeVisible();

  const sheet = await tapOneTap(page);
  await expect(page.getByRole("heading", { name: "Continue in Truecaller" })).toBeVisible();
  await expect(page.locator(".countdown .time")).toHaveText(/^[01]:\d\d$/);

  // The simulated phone's Truecaller account: Alex (a number no desktop journey signs in with, so
  // the desktop "new account" journey stays new).
  await sheet.getByRole("button", { name: "Continue with +447400123456" }).tap();
  await expect(sheet.getByRole("status")).toContainText("You continued");

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Alex Morgan" })).toBeVisible();
  await expect(page.locator(".account-header .phone")).toHaveText("+44 •••••••• 56");
});

test("installed, sheet dismissed: the rejection screen, and one-tap again from there", async ({ page }) => {
  await sheetTakesFocus(page);
  await gotoApp(page);
  const sheet = await tapOneTap(page);
  await expect(page.getByRole("heading", { name: "Continue in Truecaller" })).toBeVisible();
  await sheet.getByRole("button", { name: "Close (decline)" }).tap();

  await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Verify with DigiLocker" })).toBeVisible();
  await page.getByRole("button", { name: "Try again" }).tap();
  await expect(oneTap(page)).toBeVisible();
  await expect(page.getByLabel("Mobile number")).toHaveCount(0);
});

test("the sheet's footer option: the phone form and DigiLocker", async ({ page }) => {
  await sheetTakesFocus(page);
  await gotoApp(page);
  const sheet = await tapOneTap(page);
  await sheet.getByRole("button", { name: "Use another number" }).tap();

  await expect(page.getByLabel("Mobile number")).toBeVisible();
  await expect(page.getByText("Enter your mobile number, or verify with DigiLocker.", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Verify with DigiLocker" })).toBeVisible();
});

test("'Use a phone number instead' shows the form, focused", async ({ page }) => {
  await gotoApp(page);
  await page.getByRole("link", { name: "Use a phone number instead" }).tap();
  await expect(page.getByLabel("Mobile number")).toBeFocused();
  await expect(page).toHaveURL(/\/$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the one-tap link mints, the wait opens the sheet, the page signs in", async ({ page }) => {
    await page.goto("/");
    await oneTap(page).tap();
    // The self-refreshing wait; "Open Truecaller" is where the sheet opens from.
    await expect(page.getByRole("heading", { name: "Continue in Truecaller" })).toBeVisible();
    await page.getByRole("link", { name: "Open Truecaller" }).tap();
    await expect(page).toHaveURL(/\/simulator\/sheet\?type=btmsheet&requestNonce=/);
    await page.getByRole("button", { name: "Continue with +447400123456" }).tap();
    await page.getByRole("link", { name: "Back to the app" }).tap();
    await expect(page).toHaveURL(/\/account$/, { timeout: 15_000 });
    await expect(page.getByRole("heading", { name: "Alex Morgan" })).toBeVisible();
  });

  test("'Use a phone number instead' is a link to the form", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Use a phone number instead" }).tap();
    await expect(page).toHaveURL(/\/\?with=number$/);
    await expect(page.getByLabel("Mobile number")).toBeVisible();
  });
});

test.describe("on a desktop browser", () => {
  const { defaultBrowserType: _, ...desktop } = devices["Desktop Chrome"];
  test.use(desktop);

  test("there is no one-tap control, only the phone form", async ({ page }) => {
    await gotoApp(page);
    await expect(page.getByLabel("Mobile number")).toBeVisible();
    await expect(oneTap(page)).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Use a phone number instead" })).toHaveCount(0);
  });
});
