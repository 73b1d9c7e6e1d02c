import { expect, test } from "./fixtures";
import { hydrated, monthFromNow, signIn, suffix } from "./helpers";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/** A staff API call from the test itself (not the browser), as a script makes it. */
async function api(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test("an operator makes a token, a script uses it through the staff API, and revoking it stops it", async ({
  page,
}) => {
  await signIn(page, "operator", "/password");
  const card = page.getByRole("region", { name: "API tokens" });
  await expect(card.getByRole("heading", { name: "New token" })).toBeVisible();

  // A name of spaces is refused next to the field.
  await card.getByLabel("Name").fill("   ");
  await card.getByRole("button", { name: "Create token" }).click();
  await expect(card.locator("#token-name-error")).toHaveText("Fill this in.");

  const name = `Invoicing ${suffix()}`;
  await card.getByLabel("Name").fill(name);
  await card.getByLabel("Access").selectOption({ label: "Read and change" });
  await card.getByLabel("Expires in").selectOption({ label: "30 days" });
  await card.getByRole("button", { name: "Create token" }).click();
  await expect(card.getByRole("status")).toContainText(`Token “${name}” made.`);
  const token = await card.getByLabel("Token", { exact: true }).inputValue();
  expect(token).toMatch(/^mspt_[A-Za-z0-9_-]{43}$/);
  const row = card.getByRole("table", { name: "Your tokens" }).getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(token.slice(0, 13) + "…");
  await expect(row).toContainText("Read and change");
  await expect(row).toContainText("Never");
  await expect(row).toContainText("Active");

  // The script: list, create a customer, change it with the version read.
  const list = await api(token, "GET", "/customers?limit=5");
  expect(list.status).toBe(200);
  expect(Array.isArray((await list.json()).customers)).toBe(true);
  const customerName = `Via API ${suffix()}`;
  const created = await api(token, "POST", "/customers", {
    name: customerName,
    kind: "billed",
    contract_end: `${monthFromNow(3)}-01`,
    database_name: customerName.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
    max_users: 15,
  });
  expect(created.status).toBe(201);
  const { customer } = await created.json();
  const etag = (await api(token, "GET", `/customers/${customer.id}`)).headers.get("etag") ?? "";
  const stale = await api(token, "PATCH", `/customers/${customer.id}`, { max_users: 20 }, { "If-Match": '"999"' });
  expect(stale.status).toBe(412);
  const changed = await api(token, "PATCH", `/customers/${customer.id}`, { max_users: 20 }, { "If-Match": etag });
  expect(changed.status).toBe(200);
  expect((await changed.json()).max_users).toBe(20);

  // The customer's page shows the change, made by the operator's token.
  await page.goto(`/customers/${customer.id}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(customerName);

  // The list shows the token's last use; revoking it stops it at once.
  await page.goto("/password");
  await hydrated(page);
  const again = page.getByRole("region", { name: "API tokens" });
  const used = again.getByRole("table", { name: "Your tokens" }).getByRole("row", { name: new RegExp(name) });
  await expect(used).not.toContainText("Never");
  await used.getByRole("button", { name: `Revoke the token ${name}` }).click();
  await expect(used).toContainText("Revoked");
  await expect(used.getByRole("button")).toHaveCount(0);
  const refused = await api(token, "GET", "/customers");
  expect(refused.status).toBe(401);
  expect((await refused.json()).error).toBe("unauthorized");
});

test("a viewer's token only reads, and an admin sees and revokes everyone's tokens", async ({ browser }) => {
  const viewerPage = await browser.newPage();
  await signIn(viewerPage, "viewer", "/password");
  const card = viewerPage.getByRole("region", { name: "API tokens" });
  await expect(card.getByLabel("Access").locator("option")).toHaveText(["Read"]);
  const name = `Reader ${suffix()}`;
  await card.getByLabel("Name").fill(name);
  await card.getByRole("button", { name: "Create token" }).click();
  const token = await card.getByLabel("Token", { exact: true }).inputValue();
  expect((await api(token, "GET", `/statements?month=${monthFromNow(-1)}`)).status).toBe(200);
  const write = await api(token, "POST", "/customers", { name: "Nope" });
  expect(write.status).toBe(403);
  expect((await write.json()).error).toBe("forbidden");
  await viewerPage.close();

  const adminPage = await browser.newPage();
  await signIn(adminPage, "admin", "/password");
  const others = adminPage
    .getByRole("region", { name: "API tokens" })
    .getByRole("table", { name: "Everyone else's tokens" });
  const row = others.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("e2e-viewer");
  await row.getByRole("button", { name: `Revoke the token ${name}` }).click();
  await expect(row).toContainText("Revoked");
  expect((await api(token, "GET", "/customers")).status).toBe(401);
  await adminPage.close();
});
