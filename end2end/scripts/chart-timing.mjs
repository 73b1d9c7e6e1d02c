// How long from navigation to a drawn chart on a billed customer's page, in
// Chromium: each round opens the page afresh (new document) and reads when
// the cost history chart was first drawn (ms since the navigation began,
// written by the chart itself). Prints median, p95 and max.
// Usage: BASE_URL=http://127.0.0.1:3000 USERNAME=demo-admin PASSWORD=... \
//        node scripts/chart-timing.mjs [/customers/11] [rounds]
import { base, signedIn, stats } from "./session.mjs";

const path = process.argv[2] ?? "/customers/11";
const rounds = Number(process.argv[3] ?? 30);
const { browser, context, page } = await signedIn();

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

console.log(`${path}, ${rounds} loads each, loopback`);
console.log(`  navigation -> cost history chart drawn, cached wasm: ${stats(drawn)}`);
console.log(`  navigation -> cost history chart drawn, empty cache: ${stats(cold)}`);
console.log(`  navigation -> DOMContentLoaded, cached wasm:         ${stats(hydratedAt)}`);
