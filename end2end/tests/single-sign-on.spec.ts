import AxeBuilder from "@axe-core/playwright";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signInFormShown } from "./helpers";
import { createAccount, ownServer } from "./own-server";

// Single sign-on against a real OpenID provider (the `oidc-provider`
// package, started here on loopback by scripts/oidc-provider.mjs): an app
// of its own on a database of its own, since the settings change what the
// sign-in page offers everyone.

type Issuers = { good: string; expired: string; foreign: string };

const secret = `client-secret-${Math.random().toString(36).slice(2)}`;
const password = process.env.E2E_PASSWORD!;
let server: { base: string; stop: (failed?: boolean) => void } | undefined;
let provider: ChildProcess | undefined;
let issuers: Issuers;
let failed = false;
const contexts: BrowserContext[] = [];

async function startProvider(redirect: string): Promise<Issuers> {
  const script = resolve(__dirname, "../scripts/oidc-provider.mjs");
  // Its warnings (a development set-up, an in-memory store) go nowhere.
  provider = spawn(process.execPath, [script, secret, redirect], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((done, fail) => {
    let out = "";
    provider!.stdout!.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) done(JSON.parse(out.split("\n")[0]));
    });
    provider!.on("exit", (code) => fail(new Error(`the OpenID provider exited with ${code}`)));
  });
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

async function signInWithPassword(page: Page, username: string): Promise<void> {
  await page.goto(`${server!.base}/login`);
  await signInFormShown(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A page of the suite's admin, signed in with the password. */
async function adminPage(browser: Browser): Promise<Page> {
  const admin = await newPage(browser);
  await signInWithPassword(admin, "sso-admin");
  await expect(admin.getByTestId("signed-in-user")).toHaveText("sso-admin");
  return admin;
}

/** From the app's sign-in page through the provider's login and consent
 * pages, as `login`; stops where the provider sends the browser back. */
async function throughProvider(page: Page, login: string): Promise<void> {
  await page.goto(`${server!.base}/login`);
  await page.getByRole("link", { name: "Sign in with Test ID" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** Saves the single sign-on card with `issuer` and `password` ("everyone"
 * or the break-glass admin's option text). */
async function saveSettings(
  admin: Page,
  issuer: string,
  passwordSignIn = "Everyone",
  roles = { claim: "", admin: "", viewer: "" },
): Promise<void> {
  await admin.goto(`${server!.base}/settings`);
  await hydrated(admin);
  const card = admin.getByRole("region", { name: "Single sign-on" });
  await card.getByLabel("Offer single sign-on on the sign-in page").check();
  await card.getByLabel("Button label: Sign in with …").fill("Test ID");
  await card.getByLabel("Issuer URL").fill(issuer);
  await card.getByLabel("Client ID").fill("msp-manager");
  await card.getByLabel("Client secret").fill(secret);
  await card.getByLabel("Email domains that get an account at first sign-in").fill("allowed.example");
  await card.getByLabel("Claim", { exact: true }).fill(roles.claim);
  await card.getByLabel("Value for Admin").fill(roles.admin);
  await card.getByLabel("Value for Viewer").fill(roles.viewer);
  await card.getByLabel("Who may sign in with a password").selectOption({ label: passwordSignIn });
  await card.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(card.getByRole("status").filter({ hasText: "saved" })).toHaveText("Single sign-on settings saved.");
}

test.describe.serial("single sign-on through a real OpenID provider", () => {
  test.beforeAll(async () => {
    const folder = await mkdtemp(join(tmpdir(), "msp-sso-"));
    const file = join(folder, "sso.db");
    await createAccount(file, "sso-admin", "admin", password);
    await createAccount(file, "sso-password", "viewer", password);
    server = await ownServer(file);
    issuers = await startProvider(`${server.base}/sso/callback`);
  });

  test.afterEach(async ({}, info) => {
    if (info.status !== info.expectedStatus) failed = true;
  });

  test.afterAll(async () => {
    for (const context of contexts) await context.close();
    provider?.kill("SIGTERM");
    server?.stop(failed);
  });

  test("an admin sets it up; a prepared account and an allowed domain sign in, a stranger is refused", async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const admin = await adminPage(browser);

    // A wrong issuer is refused next to its field, nothing saved.
    await admin.goto(`${server!.base}/settings`);
    await hydrated(admin);
    const card = admin.getByRole("region", { name: "Single sign-on" });
    await expect(card.locator("#sso-redirect-uri")).toHaveText(`${server!.base}/sso/callback`);
    await card.getByLabel("Offer single sign-on on the sign-in page").check();
    await card.getByLabel("Button label: Sign in with …").fill("Test ID");
    await card.getByLabel("Issuer URL").fill("http://evil.example/");
    await card.getByLabel("Client ID").fill("msp-manager");
    await card.getByLabel("Client secret").fill(secret);
    await card.getByRole("button", { name: "Save single sign-on" }).click();
    await expect(admin.locator("#sso-issuer-error")).toHaveText("The issuer URL must start with https://.");
    await saveSettings(admin, issuers.good);
    const results = await new AxeBuilder({ page: admin }).include("#sso-title").analyze();
    expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);

    // An account made beforehand with the email its person has at the provider.
    await admin.goto(`${server!.base}/settings`);
    await hydrated(admin);
    await admin.getByLabel("User name", { exact: true }).fill("ben");
    await admin.locator("#staff-password").fill("a long initial password 1");
    await admin.getByLabel("Email for single sign-on (optional)").fill("Ben@Corp.Example");
    await admin.getByRole("button", { name: "Add account" }).click();
    await expect(admin.getByText("The account was created.")).toBeVisible();
    await expect(admin.locator('tr[data-staff="ben"]')).toContainText("Single sign-on: ben@corp.example (not yet signed in)");

    const ben = await newPage(browser);
    await throughProvider(ben, "ben@corp.example");
    await expect(ben.getByTestId("signed-in-user")).toHaveText("ben");
    await hydrated(ben);
    await expect(ben).toHaveURL(`${server!.base}/`);

    // A person of an allowed domain gets an account, with the role set for new ones.
    const newcomer = await newPage(browser);
    await throughProvider(newcomer, "nora@allowed.example");
    await expect(newcomer.getByTestId("signed-in-user")).toHaveText("nora@allowed.example");

    // A stranger is refused, with the reason on the sign-in page.
    const stranger = await newPage(browser);
    await throughProvider(stranger, "mallory@elsewhere.example");
    await expect(stranger).toHaveURL(/\/login\?sso_error=unknown$/);
    await expect(stranger.getByRole("alert")).toHaveText(
      "No staff account belongs to this sign-in. Ask an admin to create one for you.",
    );

    await admin.goto(`${server!.base}/settings`);
    await hydrated(admin);
    await expect(admin.locator('tr[data-staff="ben"]')).toContainText("Single sign-on: linked");
    await expect(admin.locator('tr[data-staff="nora@allowed.example"]')).toContainText("Viewer");
    await admin.goto(`${server!.base}/audit`);
    await hydrated(admin);
    const log = admin.locator("main");
    await expect(log).toContainText("Linked to single sign-on");
    await expect(log).toContainText("Account made at first single sign-on");
    await expect(log).toContainText("Signed in with single sign-on");
    await expect(log).toContainText("Single sign-on refused");
  });

  test("a wrong state, and the provider's answer used twice or in another browser, are refused", async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    // Ben signs in; his browser's way back from the provider is noted.
    const ben = await newPage(browser);
    let back = "";
    ben.on("request", (request) => {
      if (/\/sso\/callback\?/.test(request.url())) back = request.url();
    });
    await throughProvider(ben, "ben@corp.example");
    await expect(ben.getByTestId("signed-in-user")).toHaveText("ben");
    expect(back).toContain("state=");

    // The same answer again: its sign-in was taken, nothing waits.
    await ben.goto(back);
    await expect(ben).toHaveURL(/\/login\?sso_error=state$/);

    // Another browser with a sign-in of its own at the provider: Ben's
    // answer (say, planted by a link) does not match its state.
    const other = await newPage(browser);
    await other.goto(`${server!.base}/login`);
    await other.getByRole("link", { name: "Sign in with Test ID" }).click();
    await expect(other).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    await other.goto(back);
    await expect(other).toHaveURL(/\/login\?sso_error=state$/);
    await expect(other.getByRole("alert")).toContainText("could not be matched to one started in this browser");
    await expect(other.getByTestId("signed-in-user")).toHaveCount(0);

    // A forged state on its own sign-in is refused too.
    await other.getByRole("link", { name: "Sign in with Test ID" }).click();
    await expect(other).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    const forged = new URL(back);
    forged.searchParams.set("state", "forged-state");
    await other.goto(forged.toString());
    await expect(other).toHaveURL(/\/login\?sso_error=state$/);
    await expect(other.getByTestId("signed-in-user")).toHaveCount(0);
  });

  test("an expired ID token and one signed with a key the provider does not publish are refused", async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const admin = await adminPage(browser);
    for (const issuer of [issuers.expired, issuers.foreign]) {
      await saveSettings(admin, issuer);
      const page = await newPage(browser);
      await throughProvider(page, "ben@corp.example");
      await expect(page).toHaveURL(/\/login\?sso_error=token$/);
      await expect(page.getByRole("alert")).toHaveText(
        "The identity provider's answer could not be verified, so you were not signed in.",
      );
    }
    await saveSettings(admin, issuers.good);
  });

  test("with a role claim mapped, the provider's groups give the role at each sign-in", async ({ browser }) => {
    test.setTimeout(300_000);
    const admin = await adminPage(browser);
    await saveSettings(admin, issuers.good, "Everyone", { claim: "groups", admin: "msp-admins", viewer: "msp-staff" });
    // A new person of an allowed domain in the admins' group is an admin.
    const boss = await newPage(browser);
    await throughProvider(boss, "boss@allowed.example");
    await expect(boss.getByTestId("signed-in-user")).toHaveText("boss@allowed.example");
    await expect(boss.locator("header")).toContainText("Admin");
    await admin.goto(`${server!.base}/settings`);
    await hydrated(admin);
    await expect(admin.locator('tr[data-staff="boss@allowed.example"]')).toContainText("Admin");
    await saveSettings(admin, issuers.good);
  });

  test("password sign-in switched off for everyone but the break-glass admin", async ({ browser }) => {
    test.setTimeout(300_000);
    const admin = await adminPage(browser);
    await saveSettings(admin, issuers.good, "Only sso-admin (break-glass admin)");

    const other = await newPage(browser);
    await signInWithPassword(other, "sso-password");
    await expect(other.locator("#login-password-error")).toHaveText(
      "Password sign-in is switched off: sign in with single sign-on.",
    );
    await expect(other.getByText("Password sign-in is kept for the break-glass admin.")).toBeVisible();

    const breakGlass = await newPage(browser);
    await signInWithPassword(breakGlass, "sso-admin");
    await expect(breakGlass.getByTestId("signed-in-user")).toHaveText("sso-admin");
    await hydrated(breakGlass);

    // The refused password sign-in is in the audit log.
    await admin.goto(`${server!.base}/audit`);
    await hydrated(admin);
    await expect(admin.locator("main")).toContainText("Refused: password sign-in is switched off");
  });

  test("the provider's role claim never takes the admin role from the break-glass admin", async ({ browser }) => {
    test.setTimeout(300_000);
    const admin = await adminPage(browser);
    const roles = { claim: "groups", admin: "msp-admins", viewer: "msp-staff" };
    await saveSettings(admin, issuers.good, "Only sso-admin (break-glass admin)", roles);
    // The break-glass admin gets an email for single sign-on (Manage).
    await admin.goto(`${server!.base}/settings`);
    await hydrated(admin);
    await admin.locator('tr[data-staff="sso-admin"]').getByRole("button", { name: "Manage" }).click();
    await admin.getByLabel("Email for single sign-on", { exact: true }).fill("sso-admin@example.org");
    await admin.getByRole("button", { name: "Save email" }).click();
    await expect(admin.getByText("sso-admin's email for single sign-on is saved.")).toBeVisible();
    // At the provider they are only in the staff group, which maps to viewer.
    const viaProvider = await newPage(browser);
    await throughProvider(viaProvider, "sso-admin");
    await expect(viaProvider.getByTestId("signed-in-user")).toHaveText("sso-admin");
    await expect(viaProvider.getByTestId("signed-in-role")).toHaveText("Admin");
    // Anyone else in that group gets what it maps to.
    const ben = await newPage(browser);
    await throughProvider(ben, "ben@corp.example");
    await expect(ben.getByTestId("signed-in-role")).toHaveText("Viewer");
  });
});
