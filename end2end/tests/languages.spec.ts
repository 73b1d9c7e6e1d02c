import { readFile } from "node:fs/promises";
import { Browser, BrowserContext, Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import {
  account,
  billedCustomerWithKey,
  cents,
  customerIdByName,
  fromOurPages,
  hoverBar,
  hydrated,
  monthFromNow,
  openTable,
  parseCsv,
  RoleName,
  signIn,
  stamp,
  suffix,
} from "./helpers";

/** "Oktober 2026" for "2026-10". */
function monat(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleString("de", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** An amount as German pages write it: "1.234,50 €", "-0,05 €". */
const EURO = /^-?\d{1,3}(\.\d{3})*,\d\d\u00a0€$/;
/** An amount in a column whose heading names the currency: "1.234,50". */
const BETRAG = /^-?\d{1,3}(\.\d{3})*,\d\d$/;

/** A browser set to German, signed in through the German sign-in page. */
async function germanSignIn(browser: Browser, role: RoleName, next: string): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  const { username, password } = account(role);
  await page.goto(next);
  await page.getByLabel("Benutzername").fill(username);
  await page.getByLabel("Passwort").fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  await hydrated(page);
  return [context, page];
}

/** Every cell of the table's body rows, as shown. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll("th, td")).map((cell) => (cell as HTMLElement).innerText.trim())),
  );
}

/** A fresh viewer account made through the admin's page: its language
 * setting is its own, whatever other tests do with theirs. */
async function freshViewer(browser: Browser): Promise<{ username: string; password: string }> {
  const admin = await browser.newPage();
  await signIn(admin, "admin", "/settings");
  const username = `reader-${suffix()}`;
  const password = "seven blue herons 42";
  const created = await admin.request.post("/api/create_staff", { headers: fromOurPages, form: { username, role: "viewer", password } });
  expect(created.status()).toBe(200);
  await admin.close();
  return { username, password };
}

test("the sign-in page speaks the browser's language, and English to others", async ({ browser }) => {
  const german = await browser.newContext({ locale: "de-DE" });
  const page = await german.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1, name: "Anmelden" })).toBeVisible();
  await expect(page.getByLabel("Benutzername")).toBeVisible();
  await expect(page.getByLabel("Passwort")).toBeVisible();
  await german.close();

  const french = await browser.newContext({ locale: "fr-FR" });
  const other = await french.newPage();
  await other.goto("/login");
  await expect(other.locator("html")).toHaveAttribute("lang", "en");
  await expect(other.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await french.close();
});

test("a staff member chooses German and Berlin time on the account page and sees them at once", async ({ browser }) => {
  const { username, password } = await freshViewer(browser);
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await page.goto("/password");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await hydrated(page);

  const card = page.getByRole("region", { name: "Language and time zone" });
  await card.getByLabel("Language", { exact: true }).selectOption({ label: "Deutsch" });
  await card.getByLabel("Time zone", { exact: true }).selectOption("Europe/Berlin");
  await card.getByRole("button", { name: "Save" }).click();

  // Drawn again by the server in German, still signed in.
  await expect(page.getByRole("heading", { level: 1, name: "Ihr Konto" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Bereiche" });
  await expect(nav.getByRole("link", { name: "Kunden", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Abmelden", exact: true })).toBeVisible();
  await expect(page.getByLabel("Sprache", { exact: true })).toHaveValue("de");
  await expect(page.getByLabel("Zeitzone", { exact: true })).toHaveValue("Europe/Berlin");

  // The status page: its words in German, its time in Berlin's zone.
  await nav.getByRole("link", { name: "Status", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Status" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Datenbank" })).toBeVisible();
  await expect(page.getByText(/^Aktualisiert \d\d:\d\d:\d\d (MEZ|MESZ)$/)).toBeVisible();

  // Back to the browser's language (English here).
  await page.getByTestId("signed-in-user").click();
  const karte = page.getByRole("region", { name: "Sprache und Zeitzone" });
  await karte.getByLabel("Sprache", { exact: true }).selectOption("");
  await karte.getByRole("button", { name: "Speichern" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await context.close();
});

test("in a German browser, a new customer's form speaks German, with every message", async ({ browser }) => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  const { username, password } = account("operator");
  await page.goto("/customers/new");
  await page.getByLabel("Benutzername").fill(username);
  await page.getByLabel("Passwort").fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Neuer Kunde" })).toBeVisible();
  await hydrated(page);

  // Sent empty: every field says what it needs, in German.
  await page.getByRole("button", { name: "Kunden anlegen" }).click();
  await expect(page.locator("#customer-name-error")).toHaveText("Geben Sie einen Namen ein.");
  await expect(page.locator("#customer-database-name-error")).toHaveText("Geben Sie einen Datenbanknamen ein.");
  await expect(page.locator("#customer-max-users-error")).toHaveText("Geben Sie die höchste Zahl an Benutzern ein.");

  const maxUsers = page.getByLabel("Höchstzahl an Benutzern");
  await maxUsers.fill("2,5");
  await expect(page.locator("#customer-max-users-error")).toHaveText("Geben Sie eine ganze Zahl ein, zum Beispiel 25.");
  await maxUsers.fill("0");
  await expect(page.locator("#customer-max-users-error")).toHaveText("Geben Sie eine Zahl von 1 bis 100.000 ein.");
  await page.getByLabel("Vertragsende").fill("2020-01-01");
  await expect(page.locator("#customer-contract-end-error")).toHaveText(
    "Das Vertragsende darf nicht in der Vergangenheit liegen.",
  );
  // A name another customer has: the server's check, in German too.
  await page.getByLabel("Name", { exact: true }).fill("Fischer Maschinenbau");
  await expect(page.locator("#customer-name-error")).toHaveText("Ein Kunde mit diesem Namen existiert bereits.");
  await expect(page.locator("#customer-database-name-error")).toHaveText(
    "Dieser Datenbankname wird bereits von einem anderen Kunden verwendet.",
  );
  await page.getByLabel("Datenbankname").fill("mit leerzeichen");
  await expect(page.locator("#customer-database-name-error")).toHaveText(
    "Nur Buchstaben a–z, Ziffern und _ (keine Leerzeichen oder Umlaute).",
  );

  // Put right, it is made, and its key shown once.
  const name = `Bäckerei ${suffix()}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Datenbankname").fill(`baeckerei_${suffix()}`);
  await maxUsers.fill("25");
  const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Vertragsende").fill(later);
  await expect(page.locator(".field-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Kunden anlegen" }).click();
  const dialog = page.getByRole("dialog", { name: "Kunde angelegt: sein API-Schlüssel" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("Er wird nur jetzt angezeigt")).toBeVisible();
  await expect(dialog.getByLabel("API-Schlüssel")).toHaveValue(/^msp_/);
  await dialog.getByRole("button", { name: "Kunden öffnen" }).click();
  await expect(page).toHaveURL(/\/customers\/\d+$/);

  // The list finds it, in German too.
  await page.goto(`/customers?tab=test&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("heading", { level: 1, name: "Kunden" })).toBeVisible();
  const tabs = page.getByRole("navigation", { name: "Kundenlisten" });
  await expect(tabs.getByRole("link", { name: /^Abgerechnet/ })).toBeVisible();
  await expect(tabs.getByRole("link", { name: /^Deaktiviert/ })).toBeVisible();
  const table = page.getByRole("region", { name: "Kundentabelle" });
  await expect(table.getByRole("columnheader", { name: "Benutzer / max." })).toBeVisible();
  await expect(table.getByRole("link", { name })).toBeVisible();
  await expect(page.getByText("Seite 1 von 1", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Suche löschen" })).toBeVisible();
  await context.close();
});

test("in German, the cost overview and its CSV agree to the cent, and a billed customer's page reads German", async ({
  browser,
}) => {
  const [context, page] = await germanSignIn(browser, "admin", "/costs");
  const target = monthFromNow(-2);
  for (const m of [monthFromNow(-3), target]) {
    const closed = await page.request.post("/api/billing/close_month", { headers: fromOurPages, form: { month: m } });
    expect(closed.status()).toBe(200);
  }
  await page.goto(`/costs?month=${target}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Kostenübersicht" })).toBeVisible();
  await expect(page.locator("#overview-title")).toContainText(`abgerechnete Kunden in ${monat(target)} · Endgültig`);

  // Amounts in German digits, the totals row the sum of the rows.
  const table = page.locator("table.overview-table");
  await page.getByLabel("Kunde", { exact: true }).fill("er");
  await expect(page).toHaveURL(new RegExp(`month=${target}&q=er$`));
  const shown = await tableRows(table);
  expect(shown.length).toBeGreaterThan(3);
  for (const row of shown) for (const amount of row.slice(6, 9)) expect(amount).toMatch(BETRAG);
  const foot = (await table.locator("tfoot tr").locator("th, td").allInnerTexts()).map((t) => t.trim());
  expect(foot[0]).toBe(`Gesamt · ${shown.length} Kunden`);

  // The layout offered first is the German one: semicolons, decimal commas.
  await expect(page.getByLabel("Semikolon, Dezimalkomma (deutsche Tabellenkalkulation)")).toBeChecked();
  const button = page.getByRole("button", { name: /^CSV herunterladen/ });
  await expect(button).toHaveText(`CSV herunterladen (${shown.length} Zeilen)`);
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  expect(file.suggestedFilename()).toBe(`cost-overview-${target}.csv`);
  const text = await readFile(await file.path(), "utf8");
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const records = parseCsv(text, ";");
  const columns = records[0];
  // The column names stay the documented English keys.
  expect(columns.slice(0, 3)).toEqual(["month", "customer_id", "customer"]);
  const col = (name: string) => columns.indexOf(name);
  const data = records.slice(1);
  expect(data).toHaveLength(shown.length);
  data.forEach((record, i) => {
    const [customer, , users, , , , usersCost, optionsCost, total] = shown[i];
    expect(customer.split("\n")[0]).toBe(record[col("customer")]);
    expect(record[col("billed_users")]).toBe(users.replace(/\./g, ""));
    expect(record[col("total")]).toMatch(/^-?\d+,\d\d$/);
    expect(cents(record[col("users_cost")], ",")).toBe(cents(usersCost, ","));
    expect(cents(record[col("options_cost")], ",")).toBe(cents(optionsCost, ","));
    expect(cents(record[col("total")], ",")).toBe(cents(total, ","));
  });
  const sum = (name: string) => data.reduce((s, r) => s + cents(r[col(name)], ","), 0);
  // After the costs come revenue and margin.
  expect(cents(foot[foot.length - 3], ",")).toBe(sum("total"));
  expect(cents(foot[foot.length - 4], ",")).toBe(sum("options_cost"));
  expect(cents(foot[foot.length - 5], ",")).toBe(sum("users_cost"));
  expect(cents(foot[foot.length - 2], ",")).toBe(sum("revenue"));
  expect(cents(foot[foot.length - 1].split("\n")[0], ",")).toBe(sum("margin"));
  expect(foot[foot.length - 1].split("\n")[1]).toMatch(/^-?\d+,\d\u00a0%$/);

  // A billed customer: German dates, amounts and chart tooltip.
  const id = await customerIdByName(page, "Acme Corporation");
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 2, name: "Abrechnung" })).toBeVisible();
  await expect(page.getByText(/^Stand: \d\d:\d\d:\d\d UTC$/)).toBeVisible();
  const contract = page.getByRole("region", { name: "Vertrag" });
  await expect(contract.getByText(/^\d\d\.\d\d\.\d{4}$/).first()).toBeVisible();
  const forecast = page.getByRole("region", { name: "Dieser Monat bisher (Prognose)" });
  await expect(forecast.locator("tfoot td.num").first()).toHaveText(EURO);
  const costs = page.getByRole("region", { name: "Kostenverlauf" });
  await openTable(costs, "Kostenverlauf als Tabelle");
  const row = costs.getByRole("row", { name: new RegExp(`^${monat(target)}`) });
  const [figures, billed, usersCost, optionsCost, total] = await row.locator("td").allInnerTexts();
  expect(figures).toBe("Endgültig");
  expect(total).toMatch(EURO);
  const tip = await hoverBar(page, costs, `${monat(target)} · Endgültig`);
  expect(tip).toContain(`Benutzer: ${usersCost} (${billed} abgerechnet)`);
  expect(tip).toContain(`Optionen: ${optionsCost}`);
  expect(tip).toContain(`Gesamt: ${total}`);
  await context.close();
});

test("in German with Berlin time, the audit log shows its times in MEZ or MESZ", async ({ browser }) => {
  const { username, password } = await freshViewer(browser);
  const context = await browser.newContext({ locale: "en-GB", timezoneId: "America/New_York" });
  const page = await context.newPage();
  await page.goto("/audit");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await hydrated(page);
  // Their own language and zone, whatever the browser says.
  const saved = await page.request.post("/api/set_my_preferences", {
    headers: fromOurPages,
    form: { language: "de", time_zone: "Europe/Berlin" },
  });
  expect(saved.status()).toBe(200);
  await page.goto(`/audit?person=${username}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Protokoll" })).toBeVisible();
  await expect(page.getByText("Zeiten in Ihrer Zeitzone (Europe/Berlin); zeigen Sie auf eine für UTC.")).toBeVisible();
  const row = page.locator("tr[data-entry]").first();
  await expect(row.getByRole("cell", { name: "Angemeldet", exact: true })).toBeVisible();
  const time = row.locator("time");
  const utc = await time.getAttribute("datetime");
  await expect(time).toHaveText(stamp(utc!, "Europe/Berlin", "de"));
  await expect(time).toHaveText(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d (MEZ|MESZ)$/);
  await context.close();
});

test("in German at 360 px, no page is wider than the screen", async ({ browser }) => {
  const context = await browser.newContext({ locale: "de-DE", viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const { username, password } = account("admin");
  await page.goto("/login");
  await page.getByLabel("Benutzername").fill(username);
  await page.getByLabel("Passwort").fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await hydrated(page);
  const id = await customerIdByName(page, "Acme Corporation");
  for (const path of [
    "/",
    "/customers",
    "/customers/new",
    `/customers/${id}`,
    `/customers/${id}/contract`,
    `/customers/${id}/options`,
    "/costs",
    "/settings",
    "/audit",
    "/password",
  ]) {
    await page.goto(path);
    await hydrated(page);
    // Long German words wrap or scroll inside their tables, never the page.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(360);
  }
  await context.close();
});
