// How long from navigation to a drawn chart on a billed customer's page, in
// Chromium: each round opens the page afresh (new document) and reads when
// the cost history chart was first drawn (ms since the navigation began,
// written by the chart itself). Prints median, p95 and max.
// Usage: BASE_URL=http://127.0.0.1:3000 USERNAME=demo-admin PASSWORD=... \
//        node scripts/chart-timing.mjs [/customers/11] [rounds]
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const path = process.argv[2] ?? "/customers/11";
const rounds = Number(process.argv[3] ?? 30);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.locator("body[data-hydrated]").waitFor();
await page.getByLabel("User name").fill(process.env.USERNAME ?? "demo-admin");
await page.getByLabel("Password").fill(process.env.PASSWORD ?? "");
await page.getByRole("button", { name: "Sign in" }).click();
await page.getByTestId("signed-in-user").waitFor();

// Warm: one load first fills the browser's cache, as for a returning user.
// Cold: the browser's cache is emptied before each load (wasm downloaded,
// compiled and run every time).
const cdp = await context.newCDPSession(page);
const drawn = [];
const cold = [];
const hydratedAt = [];
for (let i = 0; i <= 2 * rounds; i++) {
  const emptyCache = i > rounds;
  if (emptyCache) await cdp.send("Network.clearBrowserCache");
  await page.goto(`${base}${path}`);
  const chart = page.getByRole("region", { name: "Cost history" }).locator("canvas");
  await chart.and(page.locator("[data-drawn-ms]")).waitFor();
  if (i === 0) continue;
  if (emptyCache) {
    cold.push(Number(await chart.getAttribute("data-drawn-ms")));
    continue;
  }
  drawn.push(Number(await chart.getAttribute("data-drawn-ms")));
  hydratedAt.push(await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd));
}
await browser.close();

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`;
};
console.log(`${path}, ${rounds} loads each, loopback`);
console.log(`  navigation -> cost history chart drawn, cached wasm: ${stats(drawn)}`);
console.log(`  navigation -> cost history chart drawn, empty cache: ${stats(cold)}`);
console.log(`  navigation -> DOMContentLoaded, cached wasm:         ${stats(hydratedAt)}`);
