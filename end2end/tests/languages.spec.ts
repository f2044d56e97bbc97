import { test, expect, gotoApp, answerOnPhone, freshNumber } from "./fixtures";
import type { Page } from "@playwright/test";

// The page's language: the browser's Accept-Language, or the switcher's choice (remembered).
// Brand names stay in Latin letters; everything else a person reads must be in the language.

/** The words a person reads (the card and the simulator banner), with brand names taken out. */
async function latinLeft(page: Page): Promise<string[]> {
  const text = (await page.locator("main").innerText()) + " " + (await page.locator(".banner").innerText());
  return text.replace(/Truecaller|DigiLocker/g, "").match(/[A-Za-z]+/g) ?? [];
}

test.describe("Hindi from Accept-Language", () => {
  test.use({ locale: "hi-IN" });

  test("form, waiting and signed in, with no English left", async ({ page }) => {
    const number = freshNumber();
    await gotoApp(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "hi");
    await expect(page.getByRole("heading", { name: "Truecaller से साइन इन करें" })).toBeVisible();
    await expect(page.getByLabel("सिम्युलेटर मोड")).toBeVisible();
    expect(await latinLeft(page)).toEqual([]);

    await page.getByLabel("मोबाइल नंबर").fill(`+${number}`);
    await page.getByRole("button", { name: "Truecaller के साथ जारी रखें" }).click();
    await expect(page.getByRole("heading", { name: "अपना फ़ोन देखें" })).toBeVisible();
    await expect(page.getByLabel("बचा हुआ समय")).toHaveText(/^[0-9]:\d\d$/);
    expect(await latinLeft(page)).toEqual([]);

    await answerOnPhone(page, number, "Approve");
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.locator(".greeting")).toContainText("आपका अकाउंट तैयार है");
    await expect(page.getByRole("heading", { name: "आपकी जानकारी" })).toBeVisible();
    await expect(page.getByRole("button", { name: "साइन आउट करें" })).toBeVisible();
    // Labels are ours to translate; the values are the person's profile as Truecaller has it.
    for (const label of await page.locator(".details dt").allInnerTexts()) {
      expect(label.replace(/Truecaller|DigiLocker|Facebook|Twitter/g, "")).not.toMatch(/[A-Za-z]/);
    }
  });

  test("a number too short to be one is explained in Hindi", async ({ page }) => {
    await gotoApp(page);
    await page.getByLabel("मोबाइल नंबर").fill("12");
    await page.getByRole("button", { name: "Truecaller के साथ जारी रखें" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "यह नंबर बहुत छोटा है।" })).toBeVisible();
  });
});

test.describe("Arabic", () => {
  test.use({ locale: "ar-AE" });

  test("renders right to left", async ({ page }) => {
    await gotoApp(page);
    const html = page.locator("html");
    await expect(html).toHaveAttribute("lang", "ar");
    await expect(html).toHaveAttribute("dir", "rtl");
    await expect(page.getByLabel("رقم الجوال")).toBeVisible();
    expect(await page.locator("main").evaluate((el) => getComputedStyle(el).direction)).toBe("rtl");
    expect(await latinLeft(page)).toEqual([]);
  });

  test("signs in, and the browser counts in Arabic's plural forms", async ({ page }) => {
    const number = freshNumber();
    await gotoApp(page);
    await page.getByLabel("رقم الجوال").fill(`+${number}`);
    await page.getByRole("button", { name: "المتابعة عبر Truecaller" }).click();
    await expect(page.getByLabel("الوقت المتبقي")).toBeVisible();
    await answerOnPhone(page, number, "Approve");
    await expect(page).toHaveURL(/\/account$/);
    // The browser draws this page from the account the sign-in brought, with its own plural rules
    // (Intl.PluralRules): a first sign-in is Arabic's "one" form, not "other" (… 1 مرة).
    await expect(page.getByText("تم تسجيل الدخول مرة واحدة.")).toBeVisible();
  });
});

test("the switcher changes the language, keeps a sign-in going and is remembered", async ({ page, context }) => {
  // Several page loads of the debug bundle and a whole sign-in: near the default 30 s on two cores.
  test.slow();
  const number = freshNumber();
  await gotoApp(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  const switcher = page.getByRole("navigation", { name: "Language" });
  await expect(switcher.getByRole("button", { name: "English" })).toHaveAttribute("aria-current", "true");

  await page.getByLabel("Mobile number").fill(`+${number}`);
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();

  await switcher.getByRole("button", { name: "हिन्दी" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  // The wait goes on, now in Hindi.
  await expect(page.getByRole("heading", { name: "अपना फ़ोन देखें" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();

  // Remembered: a new tab in the same browser opens in Hindi.
  const other = await context.newPage();
  await other.goto("/");
  await expect(other.locator("html")).toHaveAttribute("lang", "hi");
  await other.close();

  await page.getByRole("navigation", { name: "भाषा" }).getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  await answerOnPhone(page, number, "Reject");
  await expect(page.getByRole("heading", { name: "You declined the request" })).toBeVisible();
});
