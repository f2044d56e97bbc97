import { test, expect, freshNumber, gotoApp } from "./fixtures";

// The server answers an invalid number with 400, which Chromium logs; that is the point here.
test.use({ allowed: [/status of 400 \(Bad Request\)/] });

test("invalid numbers are explained inline and nothing is sent", async ({ page }) => {
  await gotoApp(page);
  const input = page.getByLabel("Mobile number");
  const send = page.getByRole("button", { name: "Continue with Truecaller" });

  // The browser's quick shape check.
  await input.fill("12345");
  await send.click();
  await expect(page.getByRole("alert")).toHaveText("That number is too short.");
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(input).toBeFocused();

  await input.fill("call me maybe");
  await input.press("Enter");
  await expect(page.getByRole("alert")).toHaveText("Use digits only, with an optional + in front.");

  // The server's libphonenumber verdict.
  await input.fill("+999 1234 5678");
  await send.click();
  await expect(page.getByRole("alert")).toHaveText("No country has the code +999. Check the digits after the +.");

  await input.fill("98765 4321");
  await send.click();
  await expect(page.getByRole("alert")).toHaveText("That number is too short for India.");

  await input.fill("+91 55555 55555");
  await send.click();
  await expect(page.getByRole("alert")).toContainText("That doesn't look like a valid phone number");

  await input.fill("+46 8 123 456 78");
  await send.click();
  await expect(page.getByRole("alert")).toContainText("landline");
  await expect(page.getByRole("heading", { name: "Check your phone" })).toHaveCount(0);
});

test("a refused form post is answered with the page itself, which hydrates where it landed", async ({ page }) => {
  // The form as a browser posts it before the bundle has loaded (or without JavaScript).
  await page.goto("/");
  await page.locator("body[data-hydrated]").waitFor();
  await page.evaluate(() => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/signin";
    const phone = document.createElement("input");
    phone.name = "phone";
    phone.value = "12345";
    form.append(phone);
    document.body.append(form);
    form.submit();
  });
  await expect(page).toHaveURL(/\/signin$/);
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByRole("alert")).toHaveText("That number is too short for India.");
  await expect(page.getByLabel("Mobile number")).toHaveValue("12345");
  // Hydrated there, the form goes on as anywhere else.
  await page.getByLabel("Mobile number").fill(`+${freshNumber()}`);
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
});
