// The cost overview in Chromium with every customer of a month: how long
// from navigation to the table, and from a click on "Download CSV" to the
// download starting (the file is built in the browser, in WebAssembly).
// Prints median, p95 and max of each, and the rows and bytes of the file.
// Usage: BASE_URL=http://127.0.0.1:3000 USERNAME=... PASSWORD=... \
//        node scripts/csv-timing.mjs /costs?month=2026-10 [rounds]
import { stat } from "node:fs/promises";
import { base, signedIn, stats } from "./session.mjs";

const path = process.argv[2] ?? "/costs";
const rounds = Number(process.argv[3] ?? 20);
const { browser, page } = await signedIn({ acceptDownloads: true });
const summary = (label, values) => console.log(`  ${label.padEnd(50)} ${stats(values, 1)}`);

// Each round: the page afresh (a new document) until the table and the
// export button are live, then one export. (One page that starts many
// downloads gets them held back by Chromium after a few.)
const button = page.locator("#overview-export");
const loads = [];
const clicks = [];
const built = [];
let bytes = 0;
let label = "";
for (let i = 0; i < rounds; i++) {
  const t0 = Date.now();
  await page.goto(`${base}${path}`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.locator("table.overview-table tbody tr").first().waitFor();
  loads.push(Date.now() - t0);
  label = await button.innerText();
  const t1 = performance.now();
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  clicks.push(performance.now() - t1);
  built.push(Number(await button.getAttribute("data-built-ms")));
  bytes = (await stat(await download.path())).size;
}
console.log(`${path}: ${label}, ${rounds} rounds`);
summary("page load to the table (new document)", loads);
summary("CSV: click to download started (Playwright)", clicks);
summary("CSV: build and hand to the browser (in the page)", built);
console.log(`CSV file: ${bytes.toLocaleString("en")} bytes`);
await browser.close();
