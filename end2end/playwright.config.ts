import { defineConfig } from "@playwright/test";

// The server is started by .ci/test on a fresh temporary database; its
// address comes in BASE_URL. Chromium is Debian's (Playwright cannot
// download browsers here).
export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // Bounds for a hang, not for speed: a slow machine must not fail a test.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  outputDir: "./test-results",
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
