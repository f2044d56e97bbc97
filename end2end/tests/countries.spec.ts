import { test, expect, gotoApp, answerOnPhone, randomDigits } from "./fixtures";
import type { Page } from "@playwright/test";

// The country next to the number: a searchable list once the page runs (the ARIA combobox
// pattern), worked here with the keyboard alone, and a "+" number that picks its own country.

function countryButton(page: Page) {
  return page.getByRole("button", { name: /^Country / });
}

test("the country picker works with the keyboard alone", async ({ page }) => {
  await gotoApp(page);
  const button = countryButton(page);
  await expect(button).toHaveAccessibleName("Country India +91");
  await expect(button).toHaveAttribute("aria-expanded", "false");

  // Open from the button; the search box takes the focus, the current choice is the active option.
  await button.focus();
  await page.keyboard.press("Enter");
  const search = page.getByRole("combobox", { name: "Search countries" });
  await expect(search).toBeFocused();
  await expect(button).toHaveAttribute("aria-expanded", "true");
  const list = page.getByRole("listbox", { name: "Country" });
  await expect(list.getByRole("option", { name: "India +91" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("dialog", { name: "Country" })).toBeVisible();
  await expect(search).toHaveAttribute("aria-activedescendant", "country-IN");

  // By name: the first match is active; Enter picks it and gives the focus back.
  await page.keyboard.type("united k");
  await expect(list.getByRole("option")).toHaveCount(1);
  await expect(list.getByRole("option")).toHaveAccessibleName("United Kingdom +44");
  await page.keyboard.press("Enter");
  await expect(button).toHaveAccessibleName("Country United Kingdom +44");
  await expect(button).toBeFocused();
  await expect(list).toHaveCount(0);

  // By ISO code, moving with the arrows: "se" finds Sweden first (its code), then names.
  await page.keyboard.press("ArrowDown");
  await expect(search).toBeFocused();
  await page.keyboard.type("se");
  await expect(search).toHaveAttribute("aria-activedescendant", "country-SE");
  await page.keyboard.press("ArrowDown");
  await expect(search).toHaveAttribute("aria-activedescendant", /^country-(?!SE)[A-Z]{2}$/);
  await page.keyboard.press("ArrowUp");
  await expect(search).toHaveAttribute("aria-activedescendant", "country-SE");
  await page.keyboard.press("Enter");
  await expect(button).toHaveAccessibleName("Country Sweden +46");

  // By dial code.
  await page.keyboard.press("Enter");
  await page.keyboard.type("+971");
  await expect(list.getByRole("option")).toHaveCount(1);
  await expect(list.getByRole("option")).toHaveAccessibleName("United Arab Emirates +971");
  await page.keyboard.press("Enter");
  await expect(button).toHaveAccessibleName("Country United Arab Emirates +971");

  // Escape leaves the choice as it was; nothing found is said so.
  await page.keyboard.press("Enter");
  await page.keyboard.type("atlantis");
  await expect(page.getByText("No country matches “atlantis”.")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(button).toHaveAccessibleName("Country United Arab Emirates +971");
  await expect(button).toBeFocused();

  // A number typed as dialled in the Emirates signs in there.
  const national = `050${randomDigits(7)}`;
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Mobile number")).toBeFocused();
  await expect(page.getByLabel("Mobile number")).toHaveAttribute("placeholder", /^5\d{8}$/);
  await page.keyboard.type(national);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await answerOnPhone(page, `971${national.slice(1)}`, "Approve");
  await expect(page).toHaveURL(/\/account$/);
});

test("a pasted +44 number picks the United Kingdom", async ({ page }) => {
  await gotoApp(page);
  const number = `447400${randomDigits(6)}`;
  await page.getByLabel("Mobile number").focus();
  // What a paste does: the whole text arrives in one input event.
  await page.keyboard.insertText(`+44 ${number.slice(2, 6)} ${number.slice(6)}`);
  await expect(countryButton(page)).toHaveAccessibleName("Country United Kingdom +44");
  await expect(page.getByRole("status").filter({ hasText: "Country set to United Kingdom from the number." })).toBeAttached();
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  await expect(page.locator("strong.nowrap").first()).toContainText("+44");
  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/account$/);
});
