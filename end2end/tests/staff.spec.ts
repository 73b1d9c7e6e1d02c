import { Browser, Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { account, hydrated, RoleName, signIn, signInFormShown, suffix, fromOurPages } from "./helpers";

test("an admin adds a staff account that can then sign in", async ({ page, browser }) => {
  await signIn(page, "admin", "/settings");
  const username = `new-operator-${Date.now()}`;
  await page.getByLabel("User name").fill(username);
  await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("operator");
  await page.getByLabel("Initial password").fill("a new long password");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("status")).toHaveText("The account was created.");
  await expect(page.getByRole("cell", { name: username, exact: true })).toBeVisible();

  const other = await browser.newPage();
  await other.goto("/login");
  await signInFormShown(other);
  await other.getByLabel("User name").fill(username);
  await other.getByLabel("Password").fill("a new long password");
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("signed-in-role")).toHaveText("Operator");
  await other.close();
});

test("a taken user name gets a message next to the field", async ({ page }) => {
  await signIn(page, "admin", "/settings");
  await page.getByLabel("User name").fill("e2e-viewer");
  await page.getByLabel("Initial password").fill("a new long password");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.locator("#staff-username-error")).toHaveText("This user name is already taken.");
});

for (const role of ["viewer", "operator"] as const) {
  test(`${role === "operator" ? "an" : "a"} ${role} sees no staff controls and a direct call is refused`, async ({ page }) => {
    await signIn(page, role, "/settings");
    await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add account" })).toHaveCount(0);
    const status = await page.evaluate(async () => {
      const response = await fetch("/api/create_staff", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "sneaky", role: "admin", password: "a long password!" }),
      });
      return response.status;
    });
    expect(status).toBe(403);
  });
}

/** Creates a staff account through the server function as the signed-in admin page. */
async function createAccount(page: Page, role: RoleName, password: string): Promise<string> {
  const username = `${role}-${suffix()}`;
  const created = await page.request.post("/api/create_staff", { headers: fromOurPages, form: { username, role, password } });
  expect(created.status()).toBe(200);
  return username;
}

/** Signs `username` in through the form on a fresh page of its own. */
async function signInAs(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto("/login");
  await signInFormShown(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  return page;
}

async function manage(page: Page, username: string): Promise<Locator> {
  await page.getByRole("button", { name: `Manage ${username}`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Manage ${username}` });
  await expect(dialog).toBeVisible();
  return dialog;
}

test("a disabled account is signed out at once, and can be enabled again", async ({ page, browser }) => {
  await signIn(page, "admin", "/settings");
  const password = "plum river 7 lantern";
  const username = await createAccount(page, "operator", password);
  const other = await signInAs(browser, username, password);
  await other.goto("/customers");
  await expect(other.getByRole("heading", { level: 1, name: "Customers" })).toBeVisible();

  await page.reload();
  await hydrated(page);
  const dialog = await manage(page, username);
  await dialog.getByRole("button", { name: "Disable account" }).click();
  await expect(page.getByRole("status").filter({ hasText: "disabled" })).toHaveText(
    `${username}'s account is disabled; their sessions have ended.`,
  );
  const row = page.locator(`tr[data-staff="${username}"]`);
  await expect(row.getByText("Disabled", { exact: true })).toBeVisible();

  // The open page's next request is anonymous: a server call gets 401 and
  // any page goes to sign-in.
  const status = await other.evaluate(async () => (await fetch("/api/customers/get", { method: "POST", body: new URLSearchParams({ id: "1" }) })).status);
  expect(status).toBe(401);
  await other.goto("/customers");
  await expect(other).toHaveURL(/\/login\?next=\/customers$/);
  await signInFormShown(other);
  await other.getByLabel("User name").fill(username);
  await other.getByLabel("Password").fill(password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.locator("#login-password-error")).toHaveText("Wrong user name or password.");

  const again = await manage(page, username);
  await again.getByRole("button", { name: "Enable account" }).click();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  // The refused form came back with the user name, never the password.
  await expect(other.getByLabel("User name")).toHaveValue(username);
  await expect(other.getByLabel("Password")).toHaveValue("");
  await other.getByLabel("Password").fill(password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("signed-in-user")).toHaveText(username);
  await other.close();
});

test("the last admin can be neither demoted nor disabled", async ({ page }) => {
  await signIn(page, "admin", "/settings");
  const admin = account("admin").username;
  const dialog = await manage(page, admin);
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByRole("button", { name: "Change role" }).click();
  await expect(dialog.locator("#manage-role-error")).toHaveText(
    `${admin} is the last active admin. Make another account admin first.`,
  );
  // One's own account offers no disable button.
  await expect(dialog.getByRole("button", { name: "Disable account" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.reload();
  await expect(page.locator(`tr[data-staff="${admin}"]`).getByText("Admin", { exact: true })).toBeVisible();
  await expect(page.getByTestId("signed-in-role")).toHaveText("Admin");
});

test("after a reset the user must choose a new password, checked against common ones", async ({ page, browser }) => {
  await signIn(page, "admin", "/settings");
  const username = await createAccount(page, "viewer", "first secret 4 you");
  await page.reload();
  await hydrated(page);
  const dialog = await manage(page, username);
  await dialog.getByLabel("Temporary password").fill("Password2026!");
  await dialog.getByRole("button", { name: "Reset password" }).click();
  await expect(dialog.locator("#reset-password-error")).toContainText("This password is too common");
  await dialog.getByLabel("Temporary password").fill("green kettle 93 orbit");
  await dialog.getByRole("button", { name: "Reset password" }).click();
  await expect(page.locator(`tr[data-staff="${username}"]`).getByText("Must set a new password")).toBeVisible();

  const user = await signInAs(browser, username, "green kettle 93 orbit");
  await expect(user).toHaveURL(/\/password$/);
  await expect(user.getByRole("status").filter({ hasText: "An administrator reset your password" })).toBeVisible();
  await user.goto("/customers");
  await expect(user).toHaveURL(/\/password$/);
  await hydrated(user);
  await user.getByLabel("Current password").fill("green kettle 93 orbit");
  await user.getByLabel("New password", { exact: true }).fill("Welcome12345");
  await user.getByLabel("New password again").fill("Welcome12345");
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.locator("#new-password-error")).toContainText("too common");
  await user.getByLabel("New password", { exact: true }).fill("violet harbour 58 crane");
  await user.getByLabel("New password again").fill("violet harbour 58 cranes");
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.locator("#repeat-password-error")).toHaveText("The two new passwords differ.");
  await user.getByLabel("New password again").fill("violet harbour 58 crane");
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.getByRole("status").filter({ hasText: "Your password was changed." })).toBeVisible();
  await expect(user.getByText("An administrator reset your password")).toHaveCount(0);
  await user.goto("/customers");
  await expect(user.getByRole("heading", { level: 1, name: "Customers" })).toBeVisible();
  await user.close();
});
