import { test as base, expect, Page } from "@playwright/test";

// Every page is watched: a console error, a warning (Leptos reports hydration mismatches as
// warnings) or an uncaught exception fails the test that caused it.
// A test that provokes an error on purpose (a 400 for an invalid number) lists it in `allowed`.
export const test = base.extend<{ problems: string[]; allowed: RegExp[] }>({
  allowed: [[], { option: true }],
  problems: [
    async ({ context, allowed }, use) => {
      const problems: string[] = [];
      // The machine is offline: profile pictures on Truecaller's CDN are served a 1-pixel PNG.
      await context.route(/^https:\/\/(?!127\.0\.0\.1)/, (route) =>
        route.fulfill({ status: 200, contentType: "image/png", body: PIXEL }),
      );
      const watch = (page: Page) => {
        page.on("console", (msg) => {
          if (msg.type() === "error" || msg.type() === "warning") {
            problems.push(`${msg.type()} on ${page.url()}: ${msg.text()}`);
          }
        });
        page.on("pageerror", (err) => problems.push(`exception on ${page.url()}: ${err.message}`));
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use(problems);
      const unexpected = problems.filter((p) => !allowed.some((a) => a.test(p)));
      expect(unexpected, "console errors or hydration warnings").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

/** `count` random digits. */
export function randomDigits(count: number): string {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join("");
}

/** A fresh Indian mobile number (E.164 digits) no other test uses, so locks never collide. */
export function freshNumber(): string {
  return `9197${randomDigits(8)}`;
}

/** Types the number and sends the form. */
export async function submitNumber(page: Page, typed: string) {
  await page.getByLabel("Mobile number").fill(typed);
  await page.getByRole("button", { name: "Continue with Truecaller" }).click();
}

/** Asks for a prompt; waits until the page says to check the phone. */
export async function requestPrompt(page: Page, typed: string) {
  await submitNumber(page, typed);
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
}

/** Opens the simulated phone in a new tab and answers the prompt for `digits`. */
export async function answerOnPhone(page: Page, digits: string, answer: "Approve" | "Reject", baseURL?: string) {
  const phone = await page.context().newPage();
  await phone.goto(`${baseURL ?? ""}/simulator`);
  const prompt = phone.getByRole("listitem").filter({ hasText: `+${digits}` }).first();
  await prompt.getByRole("button", { name: answer }).click();
  await expect(phone.getByRole("listitem").filter({ hasText: `+${digits}` }).first()).toContainText(
    answer === "Approve" ? "Approved" : "Rejected",
  );
  await phone.close();
}

/** Waits until the app has hydrated, so clicks reach Leptos' handlers. */
export async function gotoApp(page: Page, url = "/") {
  await page.goto(url);
  await page.locator("body[data-hydrated]").waitFor();
}
