import { createHmac } from "node:crypto";
import { expect, test } from "./fixtures";
import { hydrated, signInFormShown } from "./helpers";

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
  await expect(page.getByRole("heading", { level: 1, name: "Your password" })).toBeVisible();
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
