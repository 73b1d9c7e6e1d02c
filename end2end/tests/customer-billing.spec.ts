import { expect, test } from "./fixtures";
import {
  billedCustomerWithKey,
  customerIdByName,
  dayName,
  hoverBar,
  hydrated,
  monthFromNow,
  monthName,
  openTable,
  signIn,
  suffix,
  fromOurPages,
} from "./helpers";

test("a billed customer's cost history: chart, tooltip, table and statements agree", async ({ page }) => {
  await signIn(page, "admin", "/customers");
  // Two months that ended long ago get their statements (the month-close test closes last month).
  for (const m of [monthFromNow(-3), monthFromNow(-2)]) {
    const closed = await page.request.post("/api/billing/close_month", { headers: fromOurPages, form: { month: m } });
    expect(closed.status()).toBe(200);
  }
  const id = await customerIdByName(page, "Acme Corporation");
  await page.goto(`/customers/${id}`);
  await hydrated(page);

  const costs = page.getByRole("region", { name: "Cost history" });
  await openTable(costs, "Cost history as a table");
  const target = monthFromNow(-2);
  const row = costs.getByRole("row", { name: new RegExp(`^${monthName(target)}`) });
  const [figures, billed, users, options, total] = await row.locator("td").allInnerTexts();
  expect(figures).toBe("Final");
  expect(Number(billed.replace(/,/g, ""))).toBeGreaterThan(0);
  const forecastRow = costs.getByRole("row", { name: new RegExp(`^${monthName(monthFromNow(0))}`) });
  await expect(forecastRow.locator("td").first()).toHaveText("Forecast");

  // The tooltip shows the same amounts as the table.
  const tip = await hoverBar(page, costs, `${monthName(target)} · Final`);
  expect(tip).toContain(`Users: ${users} (${billed} billed)`);
  expect(tip).toContain(`Options: ${options}`);
  expect(tip).toContain(`Total: ${total}`);

  // Clicking the bar opens that statement, exactly as frozen.
  await page.mouse.down();
  await page.mouse.up();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}/statements/${target}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Statement of ${monthName(target)}`);
  await hydrated(page);
  const lines = page.getByRole("table", { name: `Statement of Acme Corporation for ${monthName(target)}` });
  await expect(lines.locator("tfoot td.num").first()).toHaveText(total);
  const amounts = await lines.locator("tbody tr td:nth-child(4)").allInnerTexts();
  const cents = amounts.map((a) => Math.round(Number(a.replace(/[^0-9.-]/g, "")) * 100));
  expect(cents.reduce((a, b) => a + b, 0)).toBe(Math.round(Number(total.replace(/[^0-9.-]/g, "")) * 100));

  // And from the statement list.
  await page.getByRole("link", { name: "Back to Acme Corporation" }).click();
  await hydrated(page);
  const older = monthFromNow(-3);
  await page.getByRole("region", { name: "Statements" }).getByRole("link", { name: monthName(older) }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}/statements/${older}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Statement of ${monthName(older)}`);

  // 24 months: the range is in the address, the chart has more bars.
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await page.getByRole("link", { name: "24 months" }).click();
  await expect(page).toHaveURL(/months=24/);
  await expect(page.getByRole("link", { name: "24 months" })).toHaveAttribute("aria-current", "true");
  const longer = page.getByRole("region", { name: "Cost history" });
  await openTable(longer, "Cost history as a table");
  await expect(longer.locator("tbody tr").nth(12)).toBeVisible();
});

test("usage reported over the API shows in the forecast and user history after Refresh", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const { id, report } = await billedCustomerWithKey(page, `Growing ${suffix()}`, { maxUsers: 40, hardLimit: false });
  expect((await report("first", 12)).status()).toBe(200);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  const forecast = page.getByRole("region", { name: "This month so far (forecast)" });
  await expect(forecast).toContainText("billed users = highest daily count this month (12)");
  const history = page.getByRole("region", { name: "User history" });
  await openTable(history, "User history as a table");
  const today = history.getByRole("table", { name: /Users per day/ }).locator("tbody tr").first();
  await expect(today).toContainText("12");
  await expect(today).toContainText("reported");
  await expect(page.getByText(/^Figures as of \d\d:\d\d:\d\d UTC$/)).toBeVisible();

  // More users are reported; the page refreshes its figures without reloading.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  expect((await report("second", 25)).status()).toBe(200);
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(forecast).toContainText("billed users = highest daily count this month (25)");
  await expect(forecast.getByRole("row", { name: /^Users/ })).toContainText("25");
  await openTable(history, "User history as a table");
  await expect(history.getByRole("table", { name: /Users per day/ }).locator("tbody tr").first()).toContainText("25");
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

  // The daily chart's tooltip for today says the same.
  // Its title: the weekday and the day, in the billing time zone (UTC here).
  const day = dayName(new Date().toISOString().slice(0, 10));
  const tip = await hoverBar(page, history.locator("figure").nth(1), day);
  expect(tip).toContain("Users: 25");
  expect(tip).toContain("Reported that day");
});

test("a test customer's page shows no billing figures", async ({ page }) => {
  await signIn(page, "viewer", "/customers?tab=test");
  await hydrated(page);
  await page.getByRole("table").locator("tbody").getByRole("link").first().click();
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Billing" })).toContainText("There is no billing data for test customers");
  await expect(page.locator("canvas")).toHaveCount(0);
  await expect(page.getByText(/Forecast|Cost history|Statements/)).toHaveCount(0);
});

test("at 360 px the billing part of a customer's page fits the screen", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signIn(page, "viewer", "/customers");
  const id = await customerIdByName(page, "Krüger Logistik AG");
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  const costs = page.getByRole("region", { name: "Cost history" });
  await expect(costs.locator("canvas")).toHaveAttribute("data-drawn-ms", /^\d+$/);
  for (const canvas of await page.locator("canvas").all()) {
    const box = await canvas.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    // One backing pixel per device pixel: sharp on high-DPI screens.
    const ratio = await page.evaluate(() => window.devicePixelRatio);
    expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBe(Math.round((box?.width ?? 0) * ratio));
  }
  const tip = await hoverBar(page, costs, monthName(monthFromNow(0)));
  expect(tip).toContain("Total:");
  const tipBox = await costs.getByRole("tooltip").boundingBox();
  expect(tipBox?.x).toBeGreaterThanOrEqual(0);
  expect((tipBox?.x ?? 0) + (tipBox?.width ?? 0)).toBeLessThanOrEqual(360);
  await openTable(costs, "Cost history as a table");
  await openTable(page.getByRole("region", { name: "User history" }), "User history as a table");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});
