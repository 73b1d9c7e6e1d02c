import { Browser } from "@playwright/test";
import { expect, test } from "./fixtures";
import { account, fromOurPages, hydrated, signIn, suffix } from "./helpers";

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
  await expect(page.getByRole("button", { name: "Abmelden" })).toBeVisible();
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
