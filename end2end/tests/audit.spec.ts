import { readFile } from "node:fs/promises";
import { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { account, billedCustomerWithKey, hydrated, parseCsv, signIn, stamp, suffix, fromOurPages } from "./helpers";

// The browser's own zone is neither the reader's (Europe/Berlin, their
// account's) nor the billing zone (UTC): the page's times follow the account.
test.use({ timezoneId: "America/New_York" });

/** A fresh viewer account (made by the admin page) and a signed-in request
 * context of its own: its entries are the only ones under its name. */
async function freshViewer(admin: Page, browser: Browser): Promise<{ username: string; api: APIRequestContext }> {
  const username = `auditor-${suffix()}`;
  const password = "seven blue herons 42";
  const created = await admin.request.post("/api/create_staff", { headers: fromOurPages, form: { username, role: "viewer", password } });
  expect(created.status()).toBe(200);
  const context = await browser.newContext();
  const login = await context.request.post("/api/login", { headers: fromOurPages, form: { username, password, next: "" } });
  expect(login.status()).toBe(200);
  return { username, api: context.request };
}

async function entryIds(page: Page): Promise<string[]> {
  return page.locator("tr[data-entry]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-entry") ?? ""));
}

test("the audit log pages through a person's refused actions and exports exactly the filtered entries", async ({
  page,
  browser,
}) => {
  await signIn(page, "admin", "/settings");
  const { username, api } = await freshViewer(page, browser);
  // 60 refused calls: a viewer may not list staff accounts.
  for (let i = 0; i < 60; i++) {
    expect((await api.post("/api/list_staff", { headers: fromOurPages, form: {} })).status()).toBe(403);
  }

  await page.goto("/audit");
  await hydrated(page);
  await page.getByLabel("Who").fill(username);
  await page.getByLabel("Action").selectOption("all-refusals");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`/audit\\?person=${username}&action=all-refusals$`));
  await expect(page.getByRole("heading", { name: "60 entries match" })).toBeVisible();
  const rows = page.locator("tr[data-entry]");
  await expect(rows).toHaveCount(50);
  await expect(rows.first().getByRole("cell", { name: "Refused: role too low" })).toBeVisible();
  await expect(rows.first()).toContainText("/api/list_staff");
  await expect(rows.first()).toContainText("needs the role Admin, has Viewer");
  const first = await entryIds(page);

  await page.getByRole("link", { name: "Older" }).click();
  await expect(page).toHaveURL(/&before=\d+$/);
  await expect(rows).toHaveCount(10);
  const second = await entryIds(page);
  expect(second.filter((id) => first.includes(id))).toEqual([]);
  expect(Number(second[0])).toBeLessThan(Number(first[49]));
  await expect(page.getByText("Older", { exact: true })).toHaveAttribute("aria-disabled", "true");
  await page.getByRole("link", { name: "Newer" }).click();
  await expect(page).toHaveURL(/&after=\d+$/);
  await expect(rows).toHaveCount(50);
  expect(await entryIds(page)).toEqual(first);

  // Reloading keeps the filters and the place.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Who")).toHaveValue(username);
  await expect(page.getByLabel("Action")).toHaveValue("all-refusals");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download CSV (60 entries)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const records = parseCsv(await readFile(await download.path(), "utf8"), ",");
  expect(records[0]).toEqual([
    "id", "at_utc", "who", "action", "action_label", "customer_id", "customer", "subject", "detail", "changes",
  ]);
  const body = records.slice(1);
  expect(body.map((r) => r[0])).toEqual([...first, ...second]);
  for (const r of body) {
    expect(r.slice(2, 5)).toEqual([username, "access.refused", "Refused: role too low"]);
    expect(r[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  }
  await expect(page.getByRole("status").filter({ hasText: "Downloaded 60 entries." })).toBeVisible();
});

test("a customer's entries are found by its name, with times in the reader's zone", async ({ page, browser }) => {
  await signIn(page, "admin", "/customers");
  const name = `Audit Probe ${suffix()}`;
  const { id } = await billedCustomerWithKey(page, name, { maxUsers: 10, hardLimit: false });
  // A reader in Berlin (their own time zone; the billing time zone is UTC).
  const { username, api } = await freshViewer(page, browser);
  const saved = await api.post("/api/set_my_preferences", {
    headers: fromOurPages,
    form: { language: "en", time_zone: "Europe/Berlin" },
  });
  expect(saved.status()).toBe(200);
  const reader = await browser.newPage({ storageState: await api.storageState() });

  await reader.goto(`/audit?customer=${encodeURIComponent(name)}`);
  await hydrated(reader);
  await expect(reader.getByRole("heading", { name: "1 entry matches" })).toBeVisible();
  const row = reader.locator("tr[data-entry]");
  await expect(row.getByRole("cell", { name: "Created", exact: true })).toBeVisible();
  await expect(row.getByRole("link", { name })).toHaveAttribute("href", `/customers/${id}`);
  await expect(row.getByRole("cell", { name: account("admin").username, exact: true })).toBeVisible();
  await expect(reader.getByText("Times in your time zone (Europe/Berlin)")).toBeVisible();

  // The cell shows Berlin time with its abbreviation; its title and datetime say UTC.
  const time = row.locator("time");
  const utc = await time.getAttribute("datetime");
  await expect(time).toHaveText(stamp(utc!, "Europe/Berlin", "en"));
  await expect(time).toHaveText(/ CES?T$/);
  await expect(time).toHaveAttribute("title", `${utc!.replace("T", " ").replace("Z", "")} UTC`);
  expect(username).toMatch(/^auditor-/);
  await reader.close();
});

test("reversed dates get a message next to the field, and filters clear", async ({ page }) => {
  await signIn(page, "viewer", "/audit");
  await hydrated(page);
  await page.getByLabel("From (UTC day)").fill("2026-11-20");
  await page.getByLabel("To (UTC day)").fill("2026-11-10");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/from=2026-11-20&to=2026-11-10/);
  await expect(page.locator("#audit-to-error")).toHaveText("The end day is before the start day: no entry can match.");
  await expect(page.getByText("No entry matches these filters.")).toBeVisible();
  await expect(page.getByRole("button", { name: /Download CSV \(0 entries\)/ })).toBeDisabled();
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.locator("tr[data-entry]").first()).toBeVisible();
});
