import { Browser } from "@playwright/test";
import { expect, test } from "./fixtures";
import { fromOurPages, hydrated, signIn, suffix } from "./helpers";

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
