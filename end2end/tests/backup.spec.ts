import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";
import { account, billedCustomerWithKey, signIn, signInFormShown, suffix } from "./helpers";
import { binaryAndDatabase, ownServer, run } from "./own-server";

test("a backup taken while the app serves restores into a working app", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const { binary, database } = binaryAndDatabase();
  const folder = await mkdtemp(join(tmpdir(), "msp-backup-"));
  let restored: { stop: () => void } | undefined;
  try {
    await signIn(page, "operator", "/customers");
    const name = `Backup Probe ${suffix()}`;
    const { id, report } = await billedCustomerWithKey(page, name, { maxUsers: 40, hardLimit: false });
    expect((await report(`before-${suffix()}`, 17)).status()).toBe(200);

    // Usage keeps arriving while the backup runs.
    let sending = true;
    let sent = 0;
    const traffic = (async () => {
      while (sending) {
        const response = await report(`during-${suffix()}-${sent}`, 17 + (sent % 3));
        expect(response.status()).toBe(200);
        sent++;
      }
    })();
    const file = join(folder, "msp-backup.db");
    const backup = await run(binary, ["backup", "--to", file], { env: { ...process.env, DATABASE_URL: database } });
    sending = false;
    await traffic;
    expect(backup.stdout).toContain(file);
    expect(sent).toBeGreaterThan(0);

    // A second app on the copy, as the README's restore says.
    const second = await ownServer(file);
    restored = second;
    const base = second.base;

    const context = await browser.newContext({ baseURL: base });
    const copy = await context.newPage();
    await copy.goto("/login");
    await signInFormShown(copy);
    const { username, password } = account("admin");
    await copy.getByLabel("User name").fill(username);
    await copy.getByLabel("Password").fill(password);
    await copy.getByRole("button", { name: "Sign in" }).click();
    await expect(copy.getByTestId("signed-in-user")).toHaveText(username);
    await copy.goto(`/customers/${id}`);
    await expect(copy.getByRole("heading", { level: 1, name })).toBeVisible();
    // The reports acknowledged before the backup are in the copy.
    const reported = copy.locator("dt", { hasText: "Users reported" }).locator("xpath=following-sibling::dd[1]");
    await expect(reported).toHaveText(/^1[789]$/);
    await context.close();
  } finally {
    restored?.stop();
    await rm(folder, { recursive: true, force: true });
  }
});
