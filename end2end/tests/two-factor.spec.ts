import AxeBuilder from "@axe-core/playwright";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signInFormShown } from "./helpers";
import { createAccount, ownServer } from "./own-server";

/** RFC 6238 (SHA-1, 6 digits, 30 s) computed here from the secret the page shows. */
function totp(base32: string, step: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32.replace(/\s+/g, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

test("a staff member turns on an authenticator app, then signs in with a code and with a recovery code", async ({
  page,
}) => {
  const username = "e2e-2fa";
  const password = process.env.E2E_PASSWORD!;
  const signInWithPassword = async () => {
    await page.goto("/login?next=/password");
    await signInFormShown(page);
    await page.getByLabel("User name").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  await signInWithPassword();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await hydrated(page);

  const card = page.getByRole("region", { name: "Two-factor sign-in" });
  await card.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(card.getByRole("img", { name: "QR code of the authenticator secret" }).locator("svg")).toBeVisible();
  const secret = (await card.getByTestId("totp-secret").textContent())!;
  const setupStep = stepNow();
  await card.getByLabel("Code from the app").fill("000000");
  await card.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(card.getByText("This code is wrong or was used already.")).toBeVisible();
  await card.getByLabel("Code from the app").fill(totp(secret, setupStep));
  await card.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(card.getByRole("status")).toHaveText("Two-factor sign-in is on: from now on, sign-in asks for a code.");
  // Ten recovery codes, shown once.
  const recovery = await card.getByTestId("recovery-codes").getByRole("listitem").allTextContents();
  expect(recovery).toHaveLength(10);
  await expect(card.getByRole("button", { name: "Download" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The password alone is not enough now: the code page comes next, with no session yet.
  await signInWithPassword();
  await expect(page).toHaveURL(/\/login\/code\?next=\/password$/);
  await expect(page.getByRole("heading", { level: 1, name: "Authenticator code" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill("123456");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByText("This code is wrong or was used already.")).toBeVisible();
  await expect(page).toHaveURL(/\/login\/code/);
  // The set-up used its step's code: the next step's is in the window.
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, setupStep + 1));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/password$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  await hydrated(page);

  // Phone lost: a recovery code instead, once; the page says how many are left.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signInWithPassword();
  await page.getByLabel("Code", { exact: true }).fill(recovery[0]);
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/password\?recovery=used$/);
  await hydrated(page);
  await expect(card.getByRole("status")).toContainText("You signed in with a recovery code: 9 of 10 left.");

  // Turned off again with the password, so the next run starts alike.
  await card.getByLabel("Current password, to turn it off").fill(password);
  await card.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
  await expect(card.getByRole("button", { name: "Set up an authenticator app" })).toBeVisible();
});

/** Signs in on the sign-in page of `base` with the password alone. */
async function signInAt(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await signInFormShown(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Sets up an authenticator app on the account page shown. */
async function setUpApp(page: Page): Promise<void> {
  const card = page.getByRole("region", { name: "Two-factor sign-in" });
  await card.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await card.getByTestId("totp-secret").textContent())!;
  await card.getByLabel("Code from the app").fill(totp(secret, stepNow()));
  await card.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(card.getByRole("status")).toHaveText("Two-factor sign-in is on: from now on, sign-in asks for a code.");
}

// The policy holds every signed-in user: this test has an app of its own,
// on a database of its own, so the suite's other tests run on unchanged.
test("the sign-in policy sends staff without a second factor to set one up, and nowhere else", async ({ browser }) => {
  test.setTimeout(300_000);
  const folder = await mkdtemp(join(tmpdir(), "msp-policy-"));
  const file = join(folder, "policy.db");
  const password = process.env.E2E_PASSWORD!;
  let server: { base: string; stop: (failed?: boolean) => void } | undefined;
  let passed = false;
  const contexts: BrowserContext[] = [];
  const newPage = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  };
  try {
    await createAccount(file, "policy-admin", "admin", password);
    await createAccount(file, "policy-viewer", "viewer", password);
    server = await ownServer(file);
    const base = server.base;

    const admin = await newPage();
    await signInAt(admin, base, "policy-admin", password);
    await expect(admin.getByTestId("signed-in-user")).toHaveText("policy-admin");
    await admin.goto(`${base}/settings`);
    await hydrated(admin);
    const policy = admin.getByRole("region", { name: "Sign-in" });
    await policy.getByLabel("Everyone").check();
    await expect(policy.getByText("You have no second factor yet")).toBeVisible();
    await policy.getByRole("button", { name: "Save sign-in policy" }).click();
    // The admin has no second factor either: saving takes them to set one up,
    // and every module sends them back there.
    await expect(admin).toHaveURL(`${base}/password`);
    await expect(admin.getByText("Two-factor sign-in is required for your account.")).toBeVisible();
    await admin.goto(`${base}/customers`);
    await expect(admin).toHaveURL(`${base}/password`);
    await expect(admin.getByText("Two-factor sign-in is required for your account.")).toBeVisible();
    await hydrated(admin);
    const card = admin.getByRole("region", { name: "Two-factor sign-in" });
    await expect(card.getByTestId("two-factor-required")).toContainText("this page is all you can open");
    await setUpApp(admin);
    // Once set up, the notice goes and the modules open; it cannot be turned off.
    await expect(admin.getByText("Two-factor sign-in is required for your account.")).toBeHidden();
    await expect(card.getByTestId("two-factor-required")).toContainText("so it stays on");
    await expect(card.getByRole("button", { name: "Turn off two-factor sign-in" })).toHaveCount(0);
    await admin.goto(`${base}/customers`);
    await expect(admin.getByRole("heading", { level: 1, name: "Customers" })).toBeVisible();

    // A viewer who signs in next goes straight to setting it up.
    const viewer = await newPage();
    await signInAt(viewer, base, "policy-viewer", password);
    await expect(viewer).toHaveURL(`${base}/password`);
    await expect(viewer.getByText("Two-factor sign-in is required for your account.")).toBeVisible();
    await viewer.goto(`${base}/audit`);
    await expect(viewer).toHaveURL(`${base}/password`);
    await hydrated(viewer);
    await setUpApp(viewer);
    await viewer.goto(`${base}/audit`);
    await expect(viewer.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();

    // The audit log has the change of policy.
    await admin.goto(`${base}/audit`);
    await expect(admin.getByRole("cell", { name: "two-factor required for: nobody → everyone" })).toBeVisible();
    passed = true;
  } finally {
    // The pages first: their module prefetches must not meet a stopped server.
    for (const context of contexts) await context.close();
    server?.stop(!passed);
    await rm(folder, { recursive: true, force: true });
  }
});

test("a staff member adds a passkey and signs in with it in place of the code", async ({ browser }) => {
  // Passkeys are bound to a host name: the same server as localhost.
  const base = (process.env.BASE_URL ?? "http://127.0.0.1:3000").replace("127.0.0.1", "localhost");
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "usb",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const username = "e2e-passkey";
  const password = process.env.E2E_PASSWORD!;
  await signInAt(page, base, username, password);
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  await page.goto("/password");
  await hydrated(page);
  const card = page.getByRole("region", { name: "Two-factor sign-in" });
  await card.getByLabel("Name of the new passkey").fill("Virtual key");
  await card.getByRole("button", { name: "Add a passkey" }).click();
  await expect(card.getByText("Passkey added: sign-in can use it now.")).toBeVisible();
  await expect(card.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expect(card.getByTestId("passkeys").getByRole("rowheader", { name: "Virtual key" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signInAt(page, base, username, password);
  await expect(page.getByRole("heading", { level: 1, name: "Second step" })).toBeVisible();
  await expect(page.getByLabel("Recovery code")).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  await page.goto("/password");
  await hydrated(page);
  await expect(card.getByTestId("passkeys").getByRole("row").nth(1)).not.toContainText("Never");

  // Removed again with the password, so the next run starts alike.
  await card.getByRole("button", { name: "Remove Virtual key" }).click();
  await card.getByLabel("Current password, to remove “Virtual key”").fill(password);
  await card.getByRole("button", { name: "Remove passkey" }).click();
  await expect(card.getByTestId("passkeys")).toHaveCount(0);
  await context.close();
});
