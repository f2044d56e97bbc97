import { test, expect, answerOnPhone, freshNumber, requestPrompt } from "../tests/fixtures";
import type { Page } from "@playwright/test";

// The example shop: a host of the crate. Its own pages around the sign-in's, the signed-in person
// as its server sees them, a page that asks for a government ID, and the crate's look themed by
// the shop's custom properties.

async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

test("a shopper signs in from a protected page, comes back to it, and signs out", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Fresh Assam and Darjeeling, to your door" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  // "My orders" is for the signed-in: the server sends anyone else to sign in, and back after.
  await page.getByRole("link", { name: "My orders" }).click();
  await expect(page).toHaveURL(/\/signin\?next=\/orders$/);
  await hydrated(page);
  const send = page.getByRole("button", { name: "Continue with Truecaller" });
  // The crate's stylesheet, themed by the shop's --signin-accent and --signin-radius.
  await expect(send).toHaveCSS("background-color", "rgb(138, 75, 22)");
  await expect(send).toHaveCSS("border-radius", "6px");

  const number = freshNumber();
  await requestPrompt(page, `+${number}`);
  await answerOnPhone(page, number, "Approve");
  await expect(page).toHaveURL(/\/orders$/);
  await expect(page.getByRole("heading", { name: "My orders" })).toBeVisible();
  await expect(page.locator(".who")).toContainText("Signed in as");
  await expect(page.locator(".order")).toHaveCount(2);

  // A verified phone is not a government ID.
  await page.getByRole("link", { name: "Tasting room" }).click();
  await expect(page.getByText("This room needs a government ID.")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto("/orders");
  await expect(page).toHaveURL(/\/signin\?next=\/orders$/);
});

test("DigiLocker's government ID opens the tasting room", async ({ page }) => {
  await page.goto("/tasting-room");
  await expect(page).toHaveURL(/\/signin\?next=\/tasting-room$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Verify with DigiLocker" }).click();
  await expect(page.getByRole("heading", { name: "DigiLocker (simulated)" })).toBeVisible();
  await page.getByLabel("Sign in as").selectOption("arjun");
  await page.getByRole("button", { name: "Allow" }).click();

  // Back on the shop's sign-in page, then on to the room that sent the shopper to sign in.
  await expect(page).toHaveURL(/\/tasting-room$/);
  await expect(page.getByText("Welcome, Arjun Venkatesh Nair.")).toBeVisible();

  // The crate's account page, mounted by the shop.
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Arjun Venkatesh Nair" })).toBeVisible();
  await expect(page.locator(".ways-in")).toContainText("DigiLocker (verified)");
});
