import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
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
    test.use({ locale });

    test("every screen of a sign-in passes axe", async ({ page }) => {
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

      await page.locator('.state.outcome form[action="/signin/cancel"] button').first().click();
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
  });
}
