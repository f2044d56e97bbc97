import AxeBuilder from "@axe-core/playwright";
import { devices, type Page } from "@playwright/test";
import { test, expect, gotoApp, answerOnPhone, freshNumber } from "./fixtures";

// axe-core on every screen of a sign-in, in English, Hindi and Arabic (right to left): no
// serious or critical violation. Selectors here are language-neutral (ids, form actions,
// classes); the words are the languages' own tests' business.

async function audit(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${screen}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(severe, `axe on "${screen}"`).toEqual([]);
}

const send = (page: Page) => page.locator('form[action="/signin"] button[type="submit"]');

for (const locale of ["en-IN", "hi-IN", "ar-AE"]) {
  test.describe(locale, () => {
    // The not-found page answers 404, which Chromium logs.
    test.use({ locale, allowed: [/status of 404 \(Not Found\)/] });

    test("every screen of a sign-in passes axe", async ({ page }) => {
      // A whole sign-in with nine audits and three page loads of the debug bundle: on two cores
      // it takes most of the default 30 s, and ran out of it now and then at the last page.
      test.slow();
      await gotoApp(page);
      await audit(page, "sign-in form");

      await page.locator(".country-button").click();
      await expect(page.locator("#country-list")).toBeVisible();
      await audit(page, "country list");
      await page.keyboard.press("Escape");

      await page.locator("#phone").fill("12");
      await send(page).click();
      await expect(page.locator("#phone")).toHaveAttribute("aria-invalid", "true");
      await audit(page, "refused number");

      const declined = freshNumber();
      await page.locator("#phone").fill(`+${declined}`);
      await send(page).click();
      await expect(page.locator(".countdown")).toBeVisible();
      await audit(page, "waiting");

      await answerOnPhone(page, declined, "Reject");
      await expect(page.locator(".state.outcome.rejected")).toBeVisible();
      await audit(page, "declined");

      // "Use another number" (the cancel form that asks for the phone form next).
      await page.locator('.state.outcome form[action="/signin/cancel"]:has(input[name="then"]) button').click();
      const approved = freshNumber();
      await page.locator("#phone").fill(`+${approved}`);
      await send(page).click();
      await expect(page.locator(".countdown")).toBeVisible();
      await answerOnPhone(page, approved, "Approve");
      await expect(page).toHaveURL(/\/account$/);
      await expect(page.locator(".greeting")).toBeVisible();
      await audit(page, "signed in");

      await gotoApp(page, "/no-such-page");
      await audit(page, "not found");
    });

    test("the other ways in pass axe: not a user, DigiLocker, Android one-tap", async ({ page, browser }) => {
      await gotoApp(page);
      // The simulator's number that is not on Truecaller.
      await page.locator("#phone").fill("+91 98765 00001");
      await send(page).click();
      await expect(page.locator(".state.outcome.not-user")).toBeVisible();
      await audit(page, "not a Truecaller user");

      // Off to DigiLocker's consent (the simulator's page), then back here mid-way: the wait.
      await page.locator('.state.outcome form[action="/digilocker/start"] button').click();
      await expect(page).toHaveURL(/\/simulator\/digilocker\/authorize\?/);
      const consent = page.url();
      await gotoApp(page);
      await expect(page.locator(".state.at-digilocker")).toBeVisible();
      await audit(page, "waiting at DigiLocker");
      await page.goto(consent);
      await page.getByLabel("Sign in as").selectOption("priya");
      await page.getByRole("button", { name: "Deny" }).click();
      await expect(page.locator(".state.outcome")).toBeVisible();
      await audit(page, "DigiLocker denied");

      // Android: one-tap leads.
      const { defaultBrowserType: _, ...pixel } = devices["Pixel 7"];
      const android = await browser.newContext({ ...pixel, locale });
      const phone = await android.newPage();
      await gotoApp(phone);
      await expect(phone.locator('a[href="/signin/one-tap"]')).toBeVisible();
      await audit(phone, "Android one-tap");
      await android.close();
    });
  });
}
