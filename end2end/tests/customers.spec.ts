import { Page } from "@playwright/test";
import { expect, expectNotFound, test } from "./fixtures";
import { dayName, hydrated, signIn, suffix, fromOurPages } from "./helpers";

/** A name no other test (or earlier run) uses. */
function unique(prefix: string): string {
  return `${prefix} ${suffix()}`;
}

function isoDate(offsetDays: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

/** Creates a customer through the server function, as the signed-in user. */
async function createViaApi(page: Page, name: string, billed: boolean, maxUsers = 25): Promise<number> {
  const response = await page.request.post("/api/customers/create", {
    headers: fromOurPages,
    data: {
      form: {
        name,
        billed,
        contract_end: isoDate(28),
        database_name: name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, ""),
        max_users: String(maxUsers),
        limit_user_creation: false,
        options: ["web_access"],
      },
    },
  });
  expect(response.status()).toBe(200);
  const made = await response.json();
  expect(made.api_key).toMatch(/^msp_[A-Za-z0-9_-]{43}$/);
  return made.id;
}

/** After the form created a customer: its API key is shown once, then the customer opens. */
async function takeTheKey(page: Page): Promise<string> {
  const dialog = page.getByRole("dialog", { name: "Customer created: its API key" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("API key", { exact: true })).toHaveValue(/^msp_/);
  const key = await dialog.getByLabel("API key", { exact: true }).inputValue();
  expect(key).toMatch(/^msp_[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole("button", { name: "Open the customer" }).click();
  return key;
}

test("an operator creates a test customer with the form", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  await page.getByRole("link", { name: "New customer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New customer" })).toBeVisible();
  await hydrated(page);
  const name = unique("Müller & Söhne, \"Nord\"");
  await page.getByLabel("Name", { exact: true }).fill(name);
  // Defaults: the database name follows the name; the contract ends in four weeks.
  await expect(page.getByLabel("Database name")).toHaveValue(/^mueller_soehne_nord_/);
  await expect(page.getByLabel("Contract end")).toHaveValue(isoDate(28));
  await expect(page.getByText("Test customer: no billing.")).toBeVisible();
  await page.getByLabel("Maximum number of users").fill("40");
  await page.getByLabel("Limit user creation to this number").check();
  await page.getByLabel("Offline add-on").check();
  await page.getByLabel("SSO agent").check();
  await page.getByRole("button", { name: "Create customer" }).click();
  const key = await takeTheKey(page);

  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("Test", { exact: true }).first()).toBeVisible();
  const licenseCard = page.getByRole("region", { name: "License" });
  await expect(licenseCard).toContainText("40");
  await expect(licenseCard).toContainText("Yes: no users beyond the maximum");
  const options = page.getByRole("region", { name: "Options" });
  await expect(options).toContainText("Offline add-on");
  await expect(options).toContainText("SSO agent");
  await expect(page.getByText("There is no billing data for test customers.")).toBeVisible();
  // The key shown once works on the machine API; afterwards only its prefix shows.
  await expect(page.getByRole("region", { name: "Machine API key" })).toContainText(`${key.slice(0, 12)}…`);
  await expect(page.getByRole("region", { name: "Machine API key" })).not.toContainText(key);
  const license = await page.request.get("/api/v1/license", { headers: { Authorization: `Bearer ${key}` } });
  expect(license.status()).toBe(200);
  expect(await license.json()).toMatchObject({ max_users: 40, limit_user_creation: true, status: "active" });
  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("cell", { name: "Created" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "e2e-operator" })).toBeVisible();
});

test("a billed customer is created billed and listed in the Billed tab", async ({ page }) => {
  await signIn(page, "operator", "/customers/new");
  await hydrated(page);
  const name = unique("Acme Billed");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Billed", { exact: true }).check();
  await expect(page.getByText(/Billed customer: billed from this month \([A-Z][a-z]+ \d{4}\) on/)).toBeVisible();
  await page.getByLabel("Maximum number of users").fill("10");
  await page.getByRole("button", { name: "Create customer" }).click();
  await takeTheKey(page);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("region", { name: "Contract" })).toContainText("Billed");
  await page.goto(`/customers?tab=billed&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("link", { name })).toBeVisible();
});

test("each wrong field gets its message and nothing is saved", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const taken = unique("Taken Name");
  await createViaApi(page, taken, false);
  await page.goto("/customers/new");
  await hydrated(page);
  const name = page.getByLabel("Name", { exact: true });
  const maxUsers = page.getByLabel("Maximum number of users");
  const error = (id: string) => page.locator(`#${id}`);

  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(error("customer-name-error")).toHaveText("Enter a name.");
  await expect(error("customer-max-users-error")).toHaveText("Enter the maximum number of users.");

  await name.fill("x".repeat(101));
  await expect(error("customer-name-error")).toHaveText("The name is too long: at most 100 characters.");
  await name.fill(taken.toUpperCase());
  await expect(error("customer-name-error")).toHaveText("A customer with this name already exists.");
  await expect(error("customer-database-name-error")).toHaveText(
    "This database name is already used by another customer.",
  );
  await page.getByLabel("Database name").fill("bad name!");
  await expect(error("customer-database-name-error")).toHaveText(
    "Use only letters a–z, digits and _ (no spaces or accents).",
  );
  for (const [typed, message] of [
    ["0", "Enter a number from 1 to 100,000."],
    ["100001", "Enter a number from 1 to 100,000."],
    ["abc", "Enter a whole number, for example 25."],
    ["2.5", "Enter a whole number, for example 25."],
  ]) {
    await maxUsers.fill(typed);
    await expect(error("customer-max-users-error")).toHaveText(message);
  }
  await page.getByLabel("Contract end").fill(isoDate(-1));
  await expect(error("customer-contract-end-error")).toHaveText("The contract end cannot be in the past.");

  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page).toHaveURL(/\/customers\/new$/);
  // The form keeps what was typed.
  await expect(name).toHaveValue(taken.toUpperCase());
  await expect(maxUsers).toHaveValue("2.5");
  await page.goto(`/customers?tab=test&q=${encodeURIComponent(taken)}`);
  await expect(page.getByRole("link", { name: taken })).toHaveCount(1);
});

test("edit contract and options, with the change in the history", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const name = unique("Edit Me");
  const id = await createViaApi(page, name, true);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await page.getByRole("link", { name: "Edit contract" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit contract" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Maximum number of users").fill("0");
  await expect(page.locator("#contract-max-users-error")).toHaveText("Enter a number from 1 to 100,000.");
  await page.getByLabel("Maximum number of users").fill("75");
  await page.getByLabel("Contract end").fill(isoDate(60));
  await page.getByRole("button", { name: "Save contract" }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
  await expect(page.getByRole("region", { name: "License" })).toContainText("75");
  await expect(page.getByRole("region", { name: "Contract" })).toContainText(dayName(isoDate(60)));

  await page.getByRole("link", { name: "Edit options" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit options" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Web application access").uncheck();
  await page.getByLabel("Mobile synchronization").check();
  await page.getByRole("button", { name: "Save options" }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
  const options = page.getByRole("region", { name: "Options" });
  await expect(options).toContainText("Mobile synchronization");
  await expect(options).not.toContainText("Web application access");

  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("cell", { name: "Contract changed" })).toBeVisible();
  await expect(page.getByText("Maximum users: 25 → 75")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Options changed" })).toBeVisible();
});

test("convert a test customer to billed; the server refuses the way back", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const name = unique("Convert Me");
  const id = await createViaApi(page, name, false);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Convert to billed" }).click();
  const dialog = page.getByRole("dialog", { name: "Convert to a billed customer?" });
  await expect(dialog).toContainText("This cannot be undone");
  await dialog.getByRole("button", { name: "Convert to billed" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("region", { name: "Contract" })).toContainText("Billed");
  await expect(page.getByRole("button", { name: "Convert to billed" })).toHaveCount(0);

  // A hand-made request for billed -> test is refused by the server.
  const version = await page.evaluate(async (customerId) => {
    const r = await fetch("/api/customers/get", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ id: String(customerId) }),
    });
    return (await r.json()).version as number;
  }, id);
  const refused = await page.evaluate(
    async ([customerId, v]) => {
      const r = await fetch("/api/customers/change_kind", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ id: String(customerId), version: String(v), kind: "test" }),
      });
      return { status: r.status, body: await r.text() };
    },
    [id, version],
  );
  expect(refused.status).toBe(422);
  // The rule's message travels as its code; pages write it in the reader's language.
  expect(JSON.parse(refused.body)).toEqual({ Invalid: [{ field: "kind", message: "kind_billed_is_final" }] });
  await page.reload();
  await expect(page.getByRole("region", { name: "Contract" })).toContainText("Billed");
});

test("deactivate with a reason, then activate restores the customer", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const name = unique("Pause Me");
  const id = await createViaApi(page, name, true, 33);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Deactivate" }).click();
  const dialog = page.getByRole("dialog", { name: `Deactivate ${name}?` });
  await expect(dialog).toContainText("this month is still billed in full");
  await dialog.getByLabel("Reason (optional)").fill("Unpaid invoices, see ticket #42");
  await expect(dialog.getByText("31 / 500 characters")).toBeVisible();
  await dialog.getByRole("button", { name: "Deactivate customer" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("region", { name: "Contract" })).toContainText("Unpaid invoices, see ticket #42");

  await page.goto(`/customers?tab=deactivated&q=${encodeURIComponent(name)}`);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Unpaid invoices, see ticket #42");
  await expect(row).toContainText(isoDate(0));
  await row.getByRole("link", { name }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Activate" }).click();
  const activate = page.getByRole("dialog", { name: `Activate ${name}?` });
  await expect(activate).toContainText("restored exactly as it was");
  await activate.getByRole("button", { name: "Activate customer" }).click();
  await expect(activate).toBeHidden();
  const contract = page.getByRole("region", { name: "Contract" });
  await expect(contract).toContainText("Active");
  await expect(contract).toContainText("Billed");
  await expect(contract).toContainText(dayName(isoDate(28)));
  await expect(page.getByRole("region", { name: "License" })).toContainText("33");
  await expect(page.getByRole("region", { name: "Options" })).toContainText("Web application access");
});

test("remove with the typed name, then the notice about the SQL database", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const name = unique("Remove Me");
  const id = await createViaApi(page, name, false);
  await page.goto(`/customers/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: `Remove ${name}?` });
  const confirm = dialog.getByRole("button", { name: "Remove customer" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/To confirm, type the customer's name/).fill(name.toLowerCase());
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/To confirm, type the customer's name/).fill(name);
  await confirm.click();
  const notice = page.getByRole("dialog", { name: "Customer removed" });
  await expect(notice).toContainText(`${name} was removed from MSP Server Manager.`);
  const databaseName = name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
  await expect(notice.locator("code")).toHaveText(databaseName);
  await expect(notice).toContainText("and all of its backups yourself");
  await notice.getByRole("button", { name: "Back to the customer list" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  for (const tab of ["test", "billed", "deactivated"]) {
    await page.goto(`/customers?tab=${tab}&q=${encodeURIComponent(name)}`);
    await expect(page.getByRole("link", { name })).toHaveCount(0);
  }
  expectNotFound(`/customers/${id}`);
  const response = await page.goto(`/customers/${id}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Customer not found" })).toBeVisible();
});

test("two staff members edit the same customer: the second save is refused", async ({ page, context }) => {
  await signIn(page, "operator", "/customers");
  const name = unique("Contested");
  const id = await createViaApi(page, name, true);
  const other = await context.newPage();
  await page.goto(`/customers/${id}/contract`);
  await other.goto(`/customers/${id}/contract`);
  await hydrated(page);
  await hydrated(other);
  await page.getByLabel("Maximum number of users").fill("30");
  await page.getByRole("button", { name: "Save contract" }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
  await other.getByLabel("Maximum number of users").fill("99");
  await other.getByRole("button", { name: "Save contract" }).click();
  await expect(other.getByRole("alert")).toContainText("changed by someone else");
  await other.getByRole("button", { name: "Reload" }).click();
  await expect(other.getByLabel("Maximum number of users")).toHaveValue("30");
  await page.reload();
  await expect(page.getByRole("region", { name: "License" })).toContainText("30");
});

test("a viewer sees customers but no controls, and a direct change is refused", async ({ page, browser }) => {
  const setup = await browser.newPage();
  await signIn(setup, "operator", "/customers");
  const name = unique("Viewer Sees");
  const id = await createViaApi(setup, name, true);
  await setup.close();

  await signIn(page, "viewer", `/customers?tab=billed&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("link", { name })).toBeVisible();
  await expect(page.getByRole("link", { name: "New customer" })).toHaveCount(0);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await hydrated(page);
  for (const control of ["Edit contract", "Edit options"]) {
    await expect(page.getByRole("link", { name: control })).toHaveCount(0);
  }
  for (const control of ["Deactivate", "Remove", "Convert to billed"]) {
    await expect(page.getByRole("button", { name: control })).toHaveCount(0);
  }
  const status = await page.evaluate(async (customerId) => {
    const r = await fetch("/api/customers/deactivate", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ id: String(customerId), version: "1", reason: "sneaky" }),
    });
    return r.status;
  }, id);
  expect(status).toBe(403);
});

test("list: search, sort, pages and the back button", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const prefix = unique("Paging");
  for (let i = 0; i < 53; i++) {
    await createViaApi(page, `${prefix} ${String(i).padStart(2, "0")}`, true, i + 1);
  }
  await page.goto("/customers?tab=billed");
  await hydrated(page);
  await page.getByLabel("Search customers by name").fill(prefix);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole("link", { name: /Billed\s*53/ })).toBeVisible();
  const rows = page.locator("table.customers-table tbody tr");
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText(`${prefix} 00`);
  await expect(page.getByText("Page 1 of 2", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(rows).toHaveCount(3);
  await expect(page.getByText("Page 2 of 2", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: /Users \/ max/ }).click();
  await expect(page).toHaveURL(/sort=users/);
  await expect(rows.first()).toContainText("— / 1");
  await page.getByRole("link", { name: /Users \/ max/ }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect(rows.first()).toContainText("— / 53");
  await expect(page.getByRole("columnheader", { name: /Users \/ max/ })).toHaveAttribute("aria-sort", "descending");

  await page.goBack();
  await expect(page).not.toHaveURL(/dir=desc/);
  await expect(rows.first()).toContainText("— / 1");
  await page.goBack();
  await expect(page).toHaveURL(/page=2/);
  await expect(rows).toHaveCount(3);
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(page.getByLabel("Search customers by name")).toHaveValue(prefix);
});

test("an option booked and removed again while a test customer costs nothing once billed", async ({ page }) => {
  await signIn(page, "operator", "/customers");
  const id = await createViaApi(page, unique("Option Rule"), false);
  // Booked and removed again in the test phase.
  for (const change of ["check", "uncheck"] as const) {
    await page.goto(`/customers/${id}/options`);
    await hydrated(page);
    await page.getByLabel("Mobile synchronization")[change]();
    await page.getByRole("button", { name: "Save options" }).click();
    await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
  }
  await hydrated(page);
  await page.getByRole("button", { name: "Convert to billed" }).click();
  const dialog = page.getByRole("dialog", { name: "Convert to a billed customer?" });
  await dialog.getByRole("button", { name: "Convert to billed" }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await hydrated(page);
  // Today is billable, but the option was never booked while billed.
  const forecast = page.getByRole("region", { name: "This month so far (forecast)" });
  await expect(forecast).toContainText("Web application access");
  await expect(forecast).not.toContainText("Mobile synchronization");
});
