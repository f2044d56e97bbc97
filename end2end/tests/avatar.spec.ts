import { test, expect, gotoApp, requestPrompt, answerOnPhone } from "./fixtures";

// The signed-in page's avatar: initials always, the profile's picture over them when it loads.
// Astrid's simulated profile has a picture on an https CDN (served here by the fixture's stand-in).

const ASTRID = "46760123456";

// Both sign in with Astrid's number: one after the other, so neither finds it locked by the other.
test.describe.configure({ mode: "serial" });
const PICTURE = "https://images.example/avatars/astrid.png";

test.describe("when the CDN is down", () => {
  // The picture's 404 is what this test provokes; the browser logs it as a failed resource.
  test.use({ allowed: [/responded with a status of 404/] });

  test("a picture that fails to load leaves the initials, never a broken image", async ({ page }) => {
    // This test's CDN is down (the fixture answers every other https request with a pixel).
    await page.route(PICTURE, (route) => route.fulfill({ status: 404, body: "" }));
    await gotoApp(page);
    await requestPrompt(page, `+${ASTRID}`);
    await answerOnPhone(page, ASTRID, "Approve");
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { name: "Astrid Lindqvist" })).toBeVisible();
    await expect(page.locator(".avatar-initials")).toHaveText("AL");
    await expect(page.locator(".avatar-initials")).toBeVisible();
    // The page arrived by the app's own navigation, so the picture failed while it was live: gone.
    await expect(page.locator(".avatar-picture")).toHaveCount(0);
  });
});

test("a picture that loads covers the initials, fetched without a referrer", async ({ page }) => {
  let referer: string | undefined = "unset";
  await page.route(PICTURE, async (route) => {
    referer = route.request().headers()["referer"];
    await route.fallback();
  });
  await gotoApp(page);
  await requestPrompt(page, `+${ASTRID}`);
  await answerOnPhone(page, ASTRID, "Approve");
  await expect(page).toHaveURL(/\/account$/);
  const picture = page.locator(".avatar-picture");
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(referer).toBeUndefined();
});
