// Shared by the measuring scripts: Debian's Chromium, a signed-in page, and
// the summary of a series of times.
import { chromium } from "@playwright/test";

export const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/** Chromium with a page signed in as USERNAME / PASSWORD (1280 x 900). */
export async function signedIn(options = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("User name").fill(process.env.USERNAME ?? "demo-admin");
  await page.getByLabel("Password").fill(process.env.PASSWORD ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-user").waitFor();
  return { browser, context, page };
}

/** "median 12 ms, p95 20 ms, max 25 ms" (`digits` decimals). */
export function stats(values, digits = 0) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const ms = (v) => `${v.toFixed(digits)} ms`;
  return `median ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(sorted[sorted.length - 1])}`;
}
