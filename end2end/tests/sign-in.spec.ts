import { expect, expectNotFound, test } from "./fixtures";
import { account, hydrated, RoleName, signIn, signInFormShown, watchForProblems } from "./helpers";

const modules = [
  { link: "Status", heading: "Status", path: "/" },
  { link: "Customers", heading: "Customers", path: "/customers" },
  { link: "Cost overview", heading: "Cost overview", path: "/costs" },
  { link: "Settings", heading: "Settings", path: "/settings" },
  { link: "Audit log", heading: "Audit log", path: "/audit" },
];

const roleLabels: Record<RoleName, string> = { admin: "Admin", operator: "Operator", viewer: "Viewer" };

for (const role of ["admin", "operator", "viewer"] as RoleName[]) {
  test(`${role} signs in, opens every module and signs out`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.getByTestId("signed-in-role")).toHaveText(roleLabels[role]);
    const nav = page.getByRole("navigation", { name: "Modules" });
    for (const module of modules) {
      await nav.getByRole("link", { name: module.link, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${module.path === "/" ? "/$" : module.path}$`));
      await expect(page.getByRole("heading", { level: 1, name: module.heading })).toBeVisible();
      await expect(nav.getByRole("link", { name: module.link, exact: true })).toHaveAttribute("aria-current", "page");
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    // The old session is gone: a module page sends us back to sign in.
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login\?next=\/audit$/);
  });
}

test("sign-in brings the user back to the page they asked for", async ({ page }) => {
  await signIn(page, "viewer", "/audit");
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  // The audit log shows this very sign-in.
  await expect(page.getByRole("cell", { name: "Signed in", exact: true }).first()).toBeVisible();
});

test("the sign-in page is plain HTML: a wrong password gets a message next to the field, and no session", async ({ page }) => {
  // The page's form posts as any HTML form; the app's code comes with the
  // first signed-in page.
  const code: string[] = [];
  page.on("request", (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname)) code.push(request.url());
  });
  await page.goto("/login?next=/audit");
  await signInFormShown(page);
  const { username, password } = account("operator");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const message = page.locator("#login-password-error");
  await expect(message).toHaveText("Wrong user name or password.");
  // The user name is filled in again, and the page asked for stays asked for.
  await expect(page.getByLabel("User name")).toHaveValue(username);
  expect(code).toEqual([]);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  await hydrated(page);
  expect(code.length).toBeGreaterThan(0);
  await page.context().clearCookies();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the page hydrates, navigates in the browser and logs no errors or CSP violations", async ({ page }) => {
  const problems = await watchForProblems(page);
  await signIn(page, "admin");
  await hydrated(page);
  // A marker on window survives client-side navigation, not a full reload.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await page.getByRole("navigation", { name: "Modules" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  await page.reload();
  await hydrated(page);
  await page.goto("/settings");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Staff accounts" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("an unknown address shows a friendly 404 page", async ({ page }) => {
  await signIn(page, "viewer");
  expectNotFound("/no-such-page");
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a crafted next after sign-in stays on this site", async ({ page, baseURL }) => {
  const own = new URL(baseURL ?? "http://127.0.0.1:3000").host;
  const visited: string[] = [];
  page.on("request", (request) => visited.push(new URL(request.url()).host));
  const { username, password } = account("viewer");
  for (const next of ["/\t/evil.example/phish", "/\r\n/evil.example", "//evil.example", "/\\evil.example", "/..//evil.example"]) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await signInFormShown(page);
    await page.getByLabel("User name").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("signed-in-user")).toHaveText(username);
    expect(new URL(page.url()).host, JSON.stringify(next)).toBe(own);
    expect(new URL(page.url()).pathname, JSON.stringify(next)).toBe("/");
  }
  expect(visited.filter((host) => host !== own)).toEqual([]);
});
