import { ChildProcess, execFile, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);

/** The release binary and the suite's database, as .ci/test set them. */
export function binaryAndDatabase(): { binary: string; database: string } {
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

/** Waits for the server's `/readyz`; the bound is for a server that never
 * starts (migrations on a slow, busy machine take a while), not for speed. */
async function ready(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (server.exitCode !== null) throw new Error(`the second server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the second server did not get ready in 120 s");
}

/** A second app of the release binary on the SQLite file `file`, for a
 * test that changes what every signed-in user sees (the suite's server
 * is shared by the other tests). Its address, and how to stop it (its
 * log is printed when the test failed). */
export async function ownServer(file: string): Promise<{ base: string; stop: (failed?: boolean) => void }> {
  const { binary } = binaryAndDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = `${file}.log`;
  const server = spawn(binary, ["serve"], {
    cwd: resolve(__dirname, "../.."),
    env: { ...process.env, DATABASE_URL: `sqlite://${file}`, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, MSP_RUN_JOBS: "false" },
    stdio: ["ignore", "ignore", openSync(log, "a")],
  });
  try {
    await ready(base, server);
  } catch (error) {
    server.kill("SIGTERM");
    throw error;
  }
  const stop = (failed = false) => {
    server.kill("SIGTERM");
    if (failed) console.log(`--- log of the second server ---\n${readFileSync(log, "utf8")}`);
  };
  return { base, stop };
}

/** Makes a staff account in the SQLite file `file` (the binary's `admin create`). */
export async function createAccount(file: string, username: string, role: string, password: string): Promise<void> {
  const { binary } = binaryAndDatabase();
  const child = execFile(binary, ["admin", "create", "--username", username, "--role", role, "--password-stdin"], {
    env: { ...process.env, DATABASE_URL: `sqlite://${file}` },
  });
  child.stdin!.end(`${password}\n`);
  await new Promise<void>((done, fail) =>
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`admin create exited with ${code}`)))),
  );
}
