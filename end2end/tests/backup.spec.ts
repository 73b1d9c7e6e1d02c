import { ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "./fixtures";
import { account, billedCustomerWithKey, signIn, signInFormShown, suffix } from "./helpers";

const run = promisify(execFile);

/** The release binary and the suite's database, as .ci/test set them. */
function binaryAndDatabase(): { binary: string; database: string } {
  const binary = process.env.MSP_BINARY;
  const database = process.env.DATABASE_URL;
  if (!binary || !database) throw new Error("MSP_BINARY and DATABASE_URL are not set: run the suite through .ci/test");
  return { binary, database };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function ready(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (server.exitCode !== null) throw new Error(`the restored server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the restored server did not get ready in 10 s");
}

test("a backup taken while the app serves restores into a working app", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const { binary, database } = binaryAndDatabase();
  const folder = await mkdtemp(join(tmpdir(), "msp-backup-"));
  let restored: ChildProcess | undefined;
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
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    restored = spawn(binary, ["serve"], {
      cwd: resolve(__dirname, "../.."),
      env: { ...process.env, DATABASE_URL: `sqlite://${file}`, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, MSP_RUN_JOBS: "false" },
      stdio: "ignore",
    });
    await ready(base, restored);

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
    restored?.kill("SIGTERM");
    await rm(folder, { recursive: true, force: true });
  }
});
