import { Download, Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { readFile } from "node:fs/promises";
import { cents, hoverBar, hydrated, monthFromNow, monthName, openTable, parseCsv, signIn, fromOurPages } from "./helpers";

const COLUMNS = [
  "month",
  "customer_id",
  "customer",
  "database_name",
  "status",
  "billed_users",
  "change",
  "users_at_month_start",
  "users_at_month_end",
  "options",
  "options_added",
  "options_removed",
  "users_cost",
  "options_cost",
  "total",
  "currency",
  "figures",
  "option_codes",
  "revenue",
  "margin",
  "margin_percent",
  "not_for_resale",
];

/** Two months that ended long ago get their statements (idempotent: other tests close them too). */
async function closeOldMonths(page: Page): Promise<void> {
  for (const m of [monthFromNow(-3), monthFromNow(-2)]) {
    const closed = await page.request.post("/api/billing/close_month", { headers: fromOurPages, form: { month: m } });
    expect(closed.status()).toBe(200);
  }
}

async function download(page: Page, button: Locator): Promise<{ file: Download; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const path = await file.path();
  return { file, text: await readFile(path, "utf8") };
}

/** Every column of the table's body rows, as shown. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll("th, td")).map((cell) => (cell as HTMLElement).innerText.trim())),
  );
}

test("a past month, filtered, exports exactly the rows shown, to the cent, in both formats", async ({ page }) => {
  await signIn(page, "admin", "/costs");
  await closeOldMonths(page);
  await page.goto("/costs");
  await hydrated(page);
  const target = monthFromNow(-2);

  // The month picker puts the month into the address.
  await page.getByLabel("Month", { exact: true }).selectOption(target);
  await expect(page).toHaveURL(new RegExp(`/costs\\?month=${target}$`));
  const heading = page.locator("#overview-title");
  await expect(heading).toContainText(`billed in ${monthName(target)} · Final`);
  const everyone = Number((await heading.innerText()).split(" ")[0].replace(/,/g, ""));
  expect(everyone).toBeGreaterThan(10);

  // A name filter, also in the address.
  await page.getByLabel("Customer", { exact: true }).fill("er");
  await expect(page).toHaveURL(new RegExp(`month=${target}&q=er$`));
  await expect(heading).toContainText(`of ${everyone} customers billed in ${monthName(target)}`);
  const table = page.locator("table.overview-table");
  const shown = await tableRows(table);
  expect(shown.length).toBeGreaterThan(3);
  expect(shown.length).toBeLessThan(everyone);
  for (const row of shown) expect(row[0].toLowerCase()).toContain("er");
  // Names with commas and umlauts, which the file must quote and keep.
  expect(shown.some((row) => row[0].includes(","))).toBe(true);

  // Comma and decimal point.
  const button = page.getByRole("button", { name: /^Download CSV/ });
  await expect(button).toHaveText(`Download CSV (${shown.length} rows)`);
  const comma = await download(page, button);
  expect(comma.file.suggestedFilename()).toBe(`cost-overview-${target}.csv`);
  expect(comma.text.charCodeAt(0)).not.toBe(0xfeff);
  const records = parseCsv(comma.text, ",");
  expect(records[0]).toEqual(COLUMNS);
  const data = records.slice(1);
  expect(data).toHaveLength(shown.length);
  const col = (name: string) => COLUMNS.indexOf(name);
  data.forEach((record, i) => {
    const [customer, status, users, change, startEnd, options, usersCost, optionsCost, total, revenue, margin] = shown[i];
    expect(record[col("month")]).toBe(target);
    expect(customer).toBe(`${record[col("customer")]}\n${record[col("database_name")]}`);
    expect(record[col("status")]).toBe(status.toLowerCase());
    expect(record[col("billed_users")]).toBe(users.replace(/,/g, ""));
    expect(record[col("change")]).toBe(change === "—" ? "0" : change.replace("−", "-"));
    const [start, end] = startEnd.split(" → ").map((n) => n.replace(/,/g, ""));
    expect(record[col("users_at_month_start")]).toBe(start);
    expect(record[col("users_at_month_end")]).toBe(end);
    // The cell: the options billed ("+ " before those added), then "− " and those removed.
    const list = (field: string) => (record[col(field)] === "" ? [] : record[col(field)].split(", "));
    const added = list("options_added");
    const expected = [
      ...list("options").map((name) => (added.includes(name) ? `+\u00a0${name}` : name)),
      ...list("options_removed").map((name) => `−\u00a0${name}`),
    ];
    expect(options).toBe(expected.length === 0 ? "—" : expected.join(", "));
    expect(cents(record[col("users_cost")])).toBe(cents(usersCost));
    expect(cents(record[col("options_cost")])).toBe(cents(optionsCost));
    expect(cents(record[col("total")])).toBe(cents(total));
    expect(record[col("users_cost")]).toMatch(/^-?\d+\.\d\d$/);
    // Revenue and margin (with its share of the revenue below it); a
    // customer not for resale shows NFR and has no share.
    if (record[col("not_for_resale")] === "true") {
      expect(revenue).toBe("NFR");
      expect(record[col("margin_percent")]).toBe("");
    } else {
      expect(cents(record[col("revenue")])).toBe(cents(revenue));
      expect(margin.split("\n")[1]).toBe(`${record[col("margin_percent")]}%`);
    }
    expect(cents(record[col("margin")])).toBe(cents(margin.split("\n")[0]));
    expect(cents(record[col("margin")])).toBe(cents(record[col("revenue")]) - cents(record[col("total")]));
    // Every row has the month's figures, which the heading names.
    expect(record[col("figures")]).toBe("Final");
    expect(record[col("currency")]).toBe("EUR");
  });
  // The totals row is the sum of the file.
  const foot = (await table.locator("tfoot tr").locator("th, td").allInnerTexts()).map((t) => t.trim());
  expect(foot[0]).toBe(`Total · ${shown.length} customers`);
  const sum = (name: string) => data.reduce((s, r) => s + cents(r[col(name)]), 0);
  expect(cents(foot[foot.length - 3])).toBe(sum("total"));
  expect(cents(foot[foot.length - 4])).toBe(sum("options_cost"));
  expect(cents(foot[foot.length - 5])).toBe(sum("users_cost"));
  expect(cents(foot[foot.length - 2])).toBe(sum("revenue"));
  expect(cents(foot[foot.length - 1].split("\n")[0])).toBe(sum("margin"));

  // Semicolon and decimal comma, for spreadsheets set to German.
  await page.getByLabel("Semicolon, decimal comma (German spreadsheets)").check();
  const german = await download(page, button);
  expect(german.file.suggestedFilename()).toBe(`cost-overview-${target}.csv`);
  expect(german.text.charCodeAt(0)).toBe(0xfeff);
  const germanRecords = parseCsv(german.text, ";");
  expect(germanRecords[0]).toEqual(COLUMNS);
  expect(germanRecords).toHaveLength(records.length);
  germanRecords.slice(1).forEach((record, i) => {
    expect(record[col("total")]).toMatch(/^-?\d+,\d\d$/);
    expect(cents(record[col("total")], ",")).toBe(cents(data[i][col("total")]));
    expect(record[col("customer")]).toBe(data[i][col("customer")]);
  });

  // Reloading keeps month and filter.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Customer", { exact: true })).toHaveValue("er");
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue(target);
  expect(await tableRows(table)).toEqual(shown);
});

test("changes only, status and sorting work together and live in the address", async ({ page }) => {
  await signIn(page, "admin", "/costs");
  await closeOldMonths(page);
  const target = monthFromNow(-2);
  await page.goto(`/costs?month=${target}`);
  await hydrated(page);
  const table = page.locator("table.overview-table");
  await page.getByLabel("Only customers with changes").check();
  await expect(page).toHaveURL(/changes=1/);
  for (const row of await tableRows(table)) {
    const [, status, , change, , options] = row;
    const optionChange = /(^|, )[+−]\u00a0/.test(options);
    expect(change !== "—" || optionChange || status !== "Active", `row ${row[0]} has a change`).toBe(true);
  }
  await page.getByLabel("Only customers with changes").uncheck();
  await page.getByLabel("Status").selectOption("active");
  await expect(page).toHaveURL(/status=active/);
  for (const row of await tableRows(table)) expect(row[1]).toBe("Active");

  await table.getByRole("link", { name: "Total", exact: true }).click();
  await expect(page).toHaveURL(/sort=total/);
  await table.getByRole("link", { name: /^Total/ }).click();
  await expect(page).toHaveURL(/sort=total&dir=desc/);
  await expect(table.locator("th[aria-sort=descending]")).toHaveText(/Total/);
  const totals = (await tableRows(table)).map((r) => cents(r[8]));
  expect(totals.length).toBeGreaterThan(2);
  expect([...totals].sort((a, b) => b - a)).toEqual(totals);
});

test("clicking a month in the chart selects it; the back button restores the month before", async ({ page }) => {
  await signIn(page, "admin", "/costs");
  await closeOldMonths(page);
  await page.goto("/costs");
  await hydrated(page);
  const heading = page.locator("#overview-title");
  await expect(heading).toContainText(`billed in ${monthName(monthFromNow(0))} · Forecast`);

  const card = page.getByRole("region", { name: "Monthly totals" });
  const target = monthFromNow(-2);
  await openTable(card, "Monthly totals as a table");
  const [figures, customers, , , , total] = await card
    .getByRole("row", { name: new RegExp(`^${monthName(target)}`) })
    .locator("td")
    .allInnerTexts();
  expect(figures).toBe("Final");
  const tip = await hoverBar(page, card, `${monthName(target)} · Final`);
  expect(tip).toContain(`Total: ${total}`);
  expect(tip).toContain(`${customers} customers · `);
  await page.mouse.down();
  await page.mouse.up();
  await expect(page).toHaveURL(new RegExp(`/costs\\?month=${target}$`));
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue(target);
  await expect(heading).toContainText(`${customers} customers billed in ${monthName(target)} · Final`);
  // The chart's month total is the table's totals row.
  const foot = (await page.locator("table.overview-table tfoot").locator("th, td").allInnerTexts()).map((t) => t.trim());
  expect(cents(foot[foot.length - 3])).toBe(cents(total));

  const earlier = monthFromNow(-3);
  await page.getByLabel("Month", { exact: true }).selectOption(earlier);
  await expect(heading).toContainText(`billed in ${monthName(earlier)} · Final`);
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/costs\\?month=${target}$`));
  await expect(heading).toContainText(`billed in ${monthName(target)} · Final`);
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue(target);
  await page.goBack();
  await expect(heading).toContainText(`billed in ${monthName(monthFromNow(0))} · Forecast`);
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue("");
});

test("at 360 px the page does not overflow: the table scrolls in its frame, the chart fits", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signIn(page, "viewer", "/costs");
  await hydrated(page);
  const canvas = page.getByRole("region", { name: "Monthly totals" }).locator("canvas");
  await expect(canvas).toHaveAttribute("data-drawn-ms", /^\d+$/);
  const sizes = await page.evaluate(() => {
    const c = document.querySelector("canvas") as HTMLCanvasElement;
    const wrap = document.querySelector(".overview-card .table-wrap") as HTMLElement;
    return {
      page: document.documentElement.scrollWidth,
      canvas: c.getBoundingClientRect().width,
      wrapScrolls: wrap.scrollWidth > wrap.clientWidth,
      wrapRight: wrap.getBoundingClientRect().right,
    };
  });
  expect(sizes.page).toBeLessThanOrEqual(360);
  expect(sizes.canvas).toBeLessThanOrEqual(360);
  expect(sizes.wrapRight).toBeLessThanOrEqual(360);
  expect(sizes.wrapScrolls).toBe(true);
  await expect(page.getByRole("button", { name: /^Download CSV/ })).toBeVisible();
});
