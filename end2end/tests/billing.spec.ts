import { expect, test } from "./fixtures";
import { billedCustomerWithKey, hydrated, monthFromNow as month, monthName, signIn, suffix, fromOurPages } from "./helpers";

test("an admin edits the option catalogue and the price list", async ({ page }) => {
  await signIn(page, "admin", "/settings");
  await hydrated(page);
  const catalogue = page.getByRole("region", { name: "Option catalogue" });

  // Add an option: the form checks as the admin types, the server has the last word.
  const id = suffix();
  const name = `Backup agent ${id}`;
  await catalogue.getByLabel("Name", { exact: true }).fill(name);
  await catalogue.getByLabel("Code", { exact: true }).fill("Backup-Agent");
  await catalogue.getByLabel("Pricing", { exact: true }).selectOption("flat");
  await catalogue.getByLabel("Price (EUR)").fill("9,12345");
  await catalogue.getByRole("button", { name: "Add option" }).click();
  await expect(page.locator("#option-code-error")).toContainText("lower-case letters");
  await expect(page.locator("#option-price-error")).toContainText("at most four decimals");
  await catalogue.getByLabel("Code", { exact: true }).fill(`backup_${id}`);
  await catalogue.getByLabel("Price (EUR)").fill("9,90");
  await catalogue.getByRole("button", { name: "Add option" }).click();
  const row = catalogue.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(`backup_${id}`);
  await expect(row).toContainText("Bookable");

  // Rename, then retire: a retired option is no longer bookable.
  await page.getByRole("button", { name: `Rename ${name}` }).click();
  await page.getByLabel("New name").fill(`${name} (cloud)`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const renamed = catalogue.getByRole("row", { name: new RegExp(`${name} \\(cloud\\)`) });
  await expect(renamed).toBeVisible();
  await page.getByRole("button", { name: `Retire ${name} (cloud)` }).click();
  await expect(renamed).toContainText("Retired");
  await page.goto("/customers/new");
  await hydrated(page);
  await expect(page.getByLabel("Web application access")).toBeVisible();
  await expect(page.getByLabel(`${name} (cloud)`)).toHaveCount(0);

  // A new price list from next month on; a past month is refused with a message.
  await page.goto("/settings");
  await hydrated(page);
  const prices = page.getByRole("region", { name: "Prices" });
  await prices.getByRole("button", { name: "New price list…" }).click();
  await expect(page.getByLabel("In force from (month)")).toHaveValue(month(1));
  await page.getByLabel("In force from (month)").fill(month(-1));
  await page.getByLabel("Price per user").fill("3.2525");
  await page.getByLabel("Price of Offline add-on").fill("abc");
  await page.getByRole("button", { name: "Save price list" }).click();
  await expect(page.locator("#price-effective-error")).toContainText("past months keep their prices");
  await expect(page.locator("#price-offline-error")).toContainText("Enter a price with at most four decimals");
  await page.getByLabel("In force from (month)").fill(month(1));
  await page.getByLabel("Price of Offline add-on").fill("0.8");
  await page.getByLabel("Pricing of Discovery service").selectOption("per_user");
  await page.getByLabel("Price of Discovery service").fill("0,35");
  await page.getByRole("button", { name: "Save price list" }).click();
  await expect(prices.getByRole("heading", { name: `Planned from ${monthName(month(1))}` })).toBeVisible();
  const planned = prices.getByRole("table", { name: `Prices from ${monthName(month(1))}` });
  await expect(planned.getByRole("row", { name: /^Users/ })).toContainText("€3.2525");
  await expect(planned.getByRole("row", { name: /Offline add-on/ })).toContainText("€0.80");
  await expect(planned.getByRole("row", { name: /Discovery service/ })).toContainText("per user / month");
  await expect(prices.getByText("Example prices.")).toHaveCount(0);
});

test("a month closed by an admin shows its statements, and a later price change leaves them", async ({ page }) => {
  const last = month(-1);
  const lastName = monthName(last);
  await signIn(page, "admin", "/costs");
  await hydrated(page);
  const row = page.getByRole("row", { name: new RegExp(`^${lastName}`) });
  await expect(row).toContainText("Pending close");
  await row.getByRole("button", { name: `Close ${lastName} now` }).click();
  const dialog = page.getByRole("dialog", { name: `Close ${lastName} now?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close the month" }).click();
  await expect(page.getByText(`${lastName} closed:`)).toBeVisible();
  await expect(row).toContainText("Final");

  await row.getByRole("link", { name: `Statements of ${lastName}` }).click();
  await expect(page).toHaveURL(new RegExp(`/costs/statements/${last}$`));
  await expect(page.getByRole("heading", { level: 1, name: `Statements of ${lastName}` })).toBeVisible();
  await hydrated(page);
  const statements = page.locator("details.statement");
  await expect(statements.first()).toBeVisible();
  const count = await statements.count();
  expect(count).toBeGreaterThan(3);
  const first = statements.first();
  await first.locator("summary").click();
  const lines = first.getByRole("table");
  await expect(lines).toBeVisible();
  // The printed total is the sum of the printed lines (cost, the fourth
  // column), and so is the revenue (the last).
  const amounts = await lines.locator("tbody tr td:nth-child(4)").allInnerTexts();
  const cents = amounts.map((a) => Math.round(Number(a.replace(/[^0-9.-]/g, "")) * 100));
  const total = await lines.locator("tfoot td.num").first().innerText();
  expect(cents.reduce((a, b) => a + b, 0)).toBe(Math.round(Number(total.replace(/[^0-9.-]/g, "")) * 100));
  const sold = await lines.locator("tbody tr td:nth-child(6)").allInnerTexts();
  const revenue = await lines.locator("tfoot td.num").last().innerText();
  const sum = (texts: string[]) => texts.reduce((s, a) => s + Math.round(Number(a.replace(/[^0-9.-]/g, "")) * 100), 0);
  expect(sum(sold)).toBe(sum([revenue]));
  const summaries = page.locator("details.statement summary");
  const before = await summaries.allInnerTexts();
  const firstLines = await lines.innerText();
  const statementSum = await page.locator(".statement-sum").innerText();

  // A new price list for the current month changes the forecast, not the statements.
  const form = {
    effective_month: month(0),
    per_user: "7.77",
    options: [
      ["web_access", "per_user", "1"],
      ["offline", "per_user", "1"],
      ["mobile_sync", "per_user", "1"],
      ["sso_agent", "per_user", "1"],
      ["password_reset", "per_user", "1"],
      ["discovery", "flat", "99"],
      ["directory_services", "flat", "99"],
      ["hsm_pkcs11", "flat", "99"],
    ].map(([code, pricing, price]) => ({ code, pricing, price })),
  };
  const catalogue = await page.request.post("/api/billing/pricing", { headers: fromOurPages });
  const codes: string[] = (await catalogue.json()).catalogue.map((o: { code: string }) => o.code);
  for (const code of codes) {
    if (!form.options.some((o) => o.code === code)) form.options.push({ code, pricing: "flat", price: "1" });
  }
  const saved = await page.request.post("/api/billing/save_price_list", { headers: fromOurPages, data: { form } });
  expect(saved.status()).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(page.locator(".statement-sum")).toHaveText(statementSum);
  expect(await summaries.allInnerTexts()).toEqual(before);
  await summaries.first().click();
  await expect(statements.first().getByRole("table")).toBeVisible();
  expect(await statements.first().getByRole("table").innerText()).toBe(firstLines);

  // Closing again from the command line's function changes nothing either.
  const again = await page.request.post("/api/billing/close_month", { headers: fromOurPages, form: { month: last } });
  expect(again.status()).toBe(200);
  expect((await again.json()).closed_now).toBe(false);
});

test("usage reported over the API shows on the customer's page", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const { id, key, report } = await billedCustomerWithKey(page, `Metered ${suffix()}`, { maxUsers: 20, hardLimit: true });
  expect((await report("r1", 12)).status()).toBe(200);
  const full = await report("r2", 20);
  expect((await full.json()).license.can_create_user).toBe(false);
  expect((await report("r2", 21)).status()).toBe(409);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await expect(page.getByRole("region", { name: "License" })).toContainText("20");
  const forecast = page.getByRole("region", { name: "This month so far (forecast)" });
  await expect(forecast).toContainText("billed users = highest daily count this month (20)");
  await expect(forecast.getByRole("row", { name: /^Users/ })).toContainText("20");

  // Rotating the key: the new one is shown once, the old one stops at once.
  await page.getByRole("button", { name: "Rotate key" }).click();
  await page.getByRole("button", { name: "Make a new key" }).click();
  const shown = page.getByLabel("API key", { exact: true });
  await expect(shown).toHaveValue(/^msp_/);
  const newKey = await shown.inputValue();
  expect(newKey).not.toBe(key);
  await page.getByRole("button", { name: "Done" }).click();
  const old = await page.request.get("/api/v1/license", { headers: { Authorization: `Bearer ${key}` } });
  expect(old.status()).toBe(401);
  const fresh = await page.request.get("/api/v1/license", { headers: { Authorization: `Bearer ${newKey}` } });
  expect(fresh.status()).toBe(200);
  await expect(page.getByRole("region", { name: "Machine API key" })).toContainText(newKey.slice(0, 12));
});
