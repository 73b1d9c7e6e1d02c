// Screenshots of every page at 1280 px and 360 px wide, for a look by eye.
// Usage: BASE_URL=http://127.0.0.1:3000 USERNAME=demo-admin PASSWORD=... \
//        node scripts/screenshots.mjs [out-dir]
// ONLY=costs takes only the pages whose name starts with it.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const out = process.argv[2] ?? "screenshots";
function monthsAgo(n) {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 7);
}

const pages = [
  ["status", "/"],
  ["customers", "/customers"],
  ["customers-test", "/customers?tab=test"],
  ["customers-deactivated", "/customers?tab=deactivated"],
  ["customer-new", "/customers/new"],
  ["customer-detail", "/customers/1"],
  ["customer-history", "/customers/1?view=history"],
  // Acme Corporation in the demo data: 23 months billed.
  ["customer-billed", "/customers/11"],
  ["customer-billed-24", "/customers/11?months=24"],
  ["customer-statement", `/customers/11/statements/${monthsAgo(2)}`],
  ["customer-contract", "/customers/1/contract"],
  ["customer-options", "/customers/1/options"],
  ["costs", "/costs"],
  ["costs-past-changes", `/costs?month=${monthsAgo(2)}&changes=1&range=24`],
  ["statements", `/costs/statements/${monthsAgo(2)}`],
  ["settings", "/settings"],
  ["alerts", "/settings/alerts"],
  ["audit", "/audit"],
  ["audit-filtered", "/audit?action=all-customers"],
  ["password", "/password"],
  ["not-found", "/no-such-page"],
];

const only = process.env.ONLY;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
for (const width of [1280, 360]) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  // The sign-in page is plain HTML (no WebAssembly): ready when shown.
  await page.goto(`${base}/login`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.screenshot({ path: `${out}/login-${width}.png`, fullPage: true });
  await page.getByLabel("User name").fill(process.env.USERNAME ?? "demo-admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").first().waitFor();
  await page.screenshot({ path: `${out}/login-refused-${width}.png`, fullPage: true });
  await page.getByLabel("User name").fill(process.env.USERNAME ?? "demo-admin");
  await page.getByLabel("Password").fill(process.env.PASSWORD ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-user").waitFor();
  for (const [name, path] of pages) {
    if (only && !name.startsWith(only)) continue;
    console.log(width, name);
    await page.goto(`${base}${path}`);
    await page.locator("body[data-hydrated]").waitFor();
    await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
  }
  // The cost overview's chart with a tooltip.
  if (!only || "costs".startsWith(only)) {
    await page.goto(`${base}/costs`);
    await page.locator("body[data-hydrated]").waitFor();
    const totals = page.getByRole("region", { name: "Monthly totals" });
    const canvas = totals.locator("canvas");
    await canvas.and(page.locator("[data-drawn-ms]")).waitFor();
    const area = await canvas.boundingBox();
    await page.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.5);
    await totals.getByRole("tooltip").waitFor();
    await totals.screenshot({ path: `${out}/costs-tooltip-${width}.png` });
  }
  // The staff dialog.
  if (!only || "staff".startsWith(only)) {
    await page.goto(`${base}/settings`);
    await page.locator("body[data-hydrated]").waitFor();
    await page.getByRole("button", { name: /^Manage / }).last().click();
    await page.getByRole("dialog").waitFor();
    await page.screenshot({ path: `${out}/staff-dialog-${width}.png` });
  }
  if (only) {
    await context.close();
    continue;
  }
  // A dialog, and the new-customer form with every message showing.
  await page.goto(`${base}/customers/1`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Deactivate" }).click();
  await page.getByRole("dialog").waitFor();
  await page.screenshot({ path: `${out}/dialog-deactivate-${width}.png` });
  await page.goto(`${base}/customers/new`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Create customer" }).click();
  await page.screenshot({ path: `${out}/customer-new-errors-${width}.png`, fullPage: true });
  // The price list form, an opened statement, and a rotated key.
  await page.goto(`${base}/settings`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "New price list…" }).click();
  await page.screenshot({ path: `${out}/settings-price-form-${width}.png`, fullPage: true });
  await page.goto(`${base}/costs/statements/${monthsAgo(2)}`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.locator("details.statement summary").first().click();
  await page.screenshot({ path: `${out}/statement-open-${width}.png`, fullPage: true });
  await page.goto(`${base}/customers/1`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Rotate key" }).click();
  await page.getByRole("button", { name: "Make a new key" }).click();
  await page.getByLabel("API key", { exact: true }).waitFor();
  await page.screenshot({ path: `${out}/dialog-new-key-${width}.png` });
  // A billed customer's cost history with a tooltip showing, then every table open.
  await page.goto(`${base}/customers/11`);
  await page.locator("body[data-hydrated]").waitFor();
  const costs = page.getByRole("region", { name: "Cost history" });
  const chart = costs.locator("canvas");
  await chart.and(page.locator("[data-drawn-ms]")).waitFor();
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.72, box.y + box.height * 0.5);
  await costs.getByRole("tooltip").waitFor();
  await costs.screenshot({ path: `${out}/customer-billed-tooltip-${width}.png` });
  for (const summary of await page.locator("details.chart-table summary").all()) await summary.click();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${out}/customer-billed-tables-${width}.png`, fullPage: true });
  await context.close();
}
await browser.close();
console.log(`screenshots written to ${out}/`);
