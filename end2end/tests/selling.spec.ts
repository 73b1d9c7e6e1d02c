import { Locator, Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";
import {
  billedCustomerWithKey,
  cents,
  fromOurPages,
  hydrated,
  monthFromNow as month,
  monthName,
  signIn,
  suffix,
} from "./helpers";

/** The cells of the bill's row named `line` (the users line: "Users"). */
async function billRow(table: Locator, line: string): Promise<string[]> {
  const row = table.locator("tbody tr").filter({ has: table.page().locator("td:first-child", { hasText: line }) });
  return (await row.locator("td").allInnerTexts()).map((t) => t.trim());
}

/** "Revenue €50.00 · Margin €15.00 (30.0%)" as cents and the share. */
async function margin(card: Locator): Promise<{ revenue: number; margin: number; share: string }> {
  const text = await card.locator(".bill-margin").innerText();
  const found = /Revenue (\S+) · Margin (\S+)(?: \((-?[\d.]+%)\))?/.exec(text);
  if (!found) throw new Error(`no revenue and margin in "${text}"`);
  return { revenue: cents(found[1]), margin: cents(found[2]), share: found[3] ?? "" };
}

async function saveSellList(page: Page, markup: string): Promise<void> {
  await page.goto("/settings");
  await hydrated(page);
  const sell = page.getByRole("region", { name: "Sell prices" });
  await sell.getByRole("button", { name: "New sell list…" }).click();
  await expect(page.locator("#sell-effective")).toHaveValue(month(1));
  await page.locator("#sell-effective").fill(month(0));
  await page.getByLabel("How Users sells").selectOption("markup");
  await page.getByLabel("Price or markup of Users").fill("fifty");
  await page.getByRole("button", { name: "Save sell list" }).click();
  await expect(page.locator("#sell-users-error")).toContainText("Enter a percentage with at most two decimals");
  await page.getByLabel("Price or markup of Users").fill(markup);
  await page.getByRole("button", { name: "Save sell list" }).click();
  const table = sell.getByRole("table", { name: `Sell prices in force since ${monthName(month(0))}` });
  await expect(table.getByRole("row", { name: /^Users/ })).toContainText(`+${markup}%`);
}

test("a markup and a customer's discount show as revenue and margin on its page and in the overview", async ({
  page,
}) => {
  await signIn(page, "admin", "/settings");
  await saveSellList(page, "50");

  const name = `Margin check ${suffix()}`;
  const customer = await billedCustomerWithKey(page, name, { maxUsers: 50, hardLimit: false });
  expect((await customer.report(`r-${suffix()}`, 10)).status()).toBe(200);
  await page.goto(`/customers/${customer.id}`);
  await hydrated(page);
  const forecast = page.getByRole("region", { name: "This month so far (forecast)" });
  const lines = forecast.getByRole("table");
  // Line, quantity, unit price, amount, sell price (+50%), revenue.
  const [, quantity, , cost, sellPrice, revenue] = await billRow(lines, "Users");
  expect(quantity).toBe("10");
  expect(sellPrice).toContain("+50%");
  expect(cents(revenue)).toBe(Math.round(cents(cost) * 1.5));
  const total = cents(await lines.locator("tfoot td.num").first().innerText());
  const before = await margin(forecast);
  expect(before.revenue).toBe(cents(await lines.locator("tfoot td.num").last().innerText()));
  expect(before.margin).toBe(before.revenue - total);
  expect(before.share).toBe(`${((before.margin / before.revenue) * 100).toFixed(1)}%`);

  // A 10 % discount from this month on, with a wrong value first.
  const sell = page.getByRole("region", { name: "Sell prices" });
  await sell.getByRole("button", { name: "Change sell prices…" }).click();
  await page.getByLabel("In force from (month)").fill(month(0));
  await page.getByLabel("Discount (%)").fill("120");
  await page.getByRole("button", { name: "Save sell prices" }).click();
  await expect(page.locator("#pricing-discount-error")).toContainText("at most 100 %");
  await page.getByLabel("Discount (%)").fill("10");
  await page.getByRole("button", { name: "Save sell prices" }).click();
  await expect(sell).toContainText("10% discount");
  // The forecast reloads after the card: wait for its discounted line.
  const usersRow = lines.locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: "Users" }) });
  await expect(usersRow).toContainText("−10%");
  const [, , , , discounted, discountedRevenue] = await billRow(lines, "Users");
  expect(discounted).toContain("−10%");
  expect(cents(discountedRevenue)).toBe(Math.round(cents(revenue) * 0.9));
  const after = await margin(forecast);
  expect(after.revenue).toBeLessThan(before.revenue);

  // The cost overview shows the same revenue and margin for the customer.
  await page.goto(`/costs?q=${encodeURIComponent(name)}`);
  await hydrated(page);
  const row = page.locator("table.overview-table tbody tr");
  await expect(row).toHaveCount(1);
  const cells = (await row.locator("th, td").allInnerTexts()).map((t) => t.trim());
  expect(cents(cells[8])).toBe(total);
  expect(cents(cells[9])).toBe(after.revenue);
  expect(cents(cells[10].split("\n")[0])).toBe(after.margin);

  // Not for resale: cost and no revenue, so it loses money and the
  // "negative margin" filter finds it.
  await page.goto(`/customers/${customer.id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Mark as not for resale" }).click();
  await expect(page.getByRole("region", { name: "Sell prices" })).toContainText("Not for resale (internal use");
  await expect(forecast.locator(".bill-margin")).toContainText("Not for resale");
  expect((await margin(forecast)).margin).toBe(-total);
  await page.goto(`/costs?q=${encodeURIComponent(name)}`);
  await hydrated(page);
  await page.getByLabel("Negative margin only").check();
  await expect(page).toHaveURL(/margin=negative/);
  await expect(row).toHaveCount(1);
  await expect(row.locator("td").nth(8)).toHaveText("NFR");
});

test("the DATEV file of a closed month downloads for the tax adviser, checked field by field", async ({ page }) => {
  await signIn(page, "admin", "/settings");
  const target = month(-2);
  const closed = await page.request.post("/api/billing/close_month", { headers: fromOurPages, form: { month: target } });
  expect(closed.status()).toBe(200);

  // The settings, each field checked.
  const card = page.getByRole("region", { name: "DATEV export" });
  await card.getByLabel("Adviser number").fill("12");
  await card.getByLabel("Client number").fill("55003");
  await card.getByLabel("Revenue account", { exact: true }).fill("8400");
  await card.getByRole("button", { name: "Save DATEV settings" }).click();
  await expect(page.locator("#datev-adviser-error")).toContainText("from 1001 to 9999999");
  await card.getByLabel("Adviser number").fill("29098");
  await card.getByLabel("Fiscal year starts in").selectOption("1");
  await card.getByRole("button", { name: "Save DATEV settings" }).click();
  await expect(card.getByText("Not set up yet")).toHaveCount(0);

  // Without debtor accounts the page says whose are missing.
  await page.goto(`/costs/statements/${target}`);
  await hydrated(page);
  const download = page.getByRole("button", { name: "Download DATEV file" });
  await download.click();
  await expect(page.getByRole("alert")).toContainText("have no debtor account");

  // One customer gets its own account on its page, the rest book to a
  // collective one.
  const first = page.locator("details.statement").first();
  const firstName = await first.locator(".statement-name").innerText();
  const statements = await page.request.post("/api/billing/statements", { headers: fromOurPages, form: { month: target } });
  const list: { customer_id: number; customer_name: string }[] = await statements.json();
  const id = list.find((s) => s.customer_name === firstName)!.customer_id;
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  const sell = page.getByRole("region", { name: "Sell prices" });
  await sell.getByRole("button", { name: "Change sell prices…" }).click();
  await page.getByLabel("Debtor account (DATEV)").fill("8400");
  await page.getByRole("button", { name: "Save account" }).click();
  await expect(page.locator("#debtor-account-error")).toContainText("5 digits");
  await page.getByLabel("Debtor account (DATEV)").fill("10042");
  await page.getByRole("button", { name: "Save account" }).click();
  // Saved: the card shows it (its forms closed).
  await expect(sell.getByText("10042", { exact: true })).toBeVisible();
  await page.goto("/settings");
  await hydrated(page);
  await card.getByLabel("Collective debtor account").fill("19999");
  await card.getByRole("button", { name: "Save DATEV settings" }).click();
  await expect(card.getByLabel("Collective debtor account")).toHaveValue("19999");

  await page.goto(`/costs/statements/${target}`);
  await hydrated(page);
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  expect(file.suggestedFilename()).toBe(`EXTF_Buchungsstapel_${target}.csv`);
  // Windows-1252: read byte by byte (its umlauts are Latin-1's).
  const text = (await readFile(await file.path())).toString("latin1");
  expect(text.endsWith("\r\n")).toBe(true);
  const records = text.trimEnd().split("\r\n").map((line) => fields(line));
  const [header, columns, ...bookings] = records;
  expect(header.slice(0, 5)).toEqual(["EXTF", "700", "21", "Buchungsstapel", "13"]);
  expect(header).toHaveLength(31);
  const [y, m] = target.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  expect(header.slice(10, 16)).toEqual(["29098", "55003", `${y}0101`, "4", `${y}${target.slice(5)}01`, `${y}${target.slice(5)}${last}`]);
  expect(header[21]).toBe("EUR");
  expect(columns).toHaveLength(125);
  expect([columns[0], columns[6], columns[7], columns[8], columns[9], columns[10], columns[13]]).toEqual([
    "Umsatz (ohne Soll/Haben-Kz)",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Buchungstext",
  ]);
  expect(bookings.length).toBeGreaterThan(3);
  for (const b of bookings) {
    expect(b).toHaveLength(125);
    expect(b[0]).toMatch(/^\d+,\d\d$/);
    expect(b[1]).toBe("S");
    expect(b[7]).toBe("8400");
    expect(b[9]).toBe(`${last}${target.slice(5)}`);
    expect(b[13]).toMatch(new RegExp(` ${target.slice(5)}/${y}$`));
  }
  const own = bookings.filter((b) => b[6] === "10042");
  expect(own).toHaveLength(1);
  expect(own[0][10]).toBe(`${y}${target.slice(5)}-${id}`);
  expect(bookings.filter((b) => b[6] === "19999")).toHaveLength(bookings.length - 1);
  // The bookings add up to the month's revenue on the statements page.
  const sum = await page.locator(".statement-sum").innerText();
  const revenue = cents(/Revenue (\S+)/.exec(sum)![1]);
  expect(bookings.reduce((s, b) => s + cents(b[0], ","), 0)).toBe(revenue);
});

/** One line of a DATEV file: `;` between fields, text in double quotes. */
function fields(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ";" && !quoted) {
      out.push(field);
      field = "";
    } else {
      field += c;
    }
  }
  out.push(field);
  return out;
}
