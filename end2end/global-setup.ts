// `cargo leptos end-to-end` and our own script start the server in the
// background: wait until it answers before the first test runs.
export default async function globalSetup(): Promise<void> {
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  // A bound for a server that never starts, not for a slow machine.
  const deadline = Date.now() + 600_000;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/login`);
      if (response.ok) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server at ${base} did not answer within 600 s: ${lastError}`);
}
