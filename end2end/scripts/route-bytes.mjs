// What the browser downloads of the app's own code per navigation, and how
// long a click in the navigation takes to draw the next page, in Chromium.
//
// Each round starts from an empty browser: the sign-in page, signing in
// (the first signed-in page, Status), then every module by a click on its
// link, in the order of the table. For each step it sums the bytes
// transferred for `/pkg/` files (encoded: brotli where the server serves
// it), and times the click until the page's heading is shown (the billed
// customer's page: until its cost chart is drawn). It prints, per step, the
// bytes of the first round, the running total, and the median time over
// the rounds.
//
// LANGUAGE=de measures a German browser (`Accept-Language: de`), which the
// server sends its German build of the browser's code (one per language).
//
// Usage, with the app running (e.g. `./.ci/demo`):
//   cd end2end && BASE_URL=http://127.0.0.1:3000 USERNAME=demo-admin PASSWORD=… \
//     [ROUNDS=5] [LANGUAGE=en|de] node scripts/route-bytes.mjs
import { chromium } from "@playwright/test";
import { base } from "./session.mjs";

const rounds = Number(process.env.ROUNDS ?? 5);
const language = process.env.LANGUAGE ?? "en";

/** The words the steps look for, in the browser's language. */
const words = {
  en: {
    locale: "en-GB", userName: "User name", password: "Password", signIn: "Sign in", status: "Status",
    customers: "Customers", costs: "Cost overview", costHistory: "Cost history", settings: "Settings",
    audit: "Audit log", account: "Your account", openAlerts: "Open alerts", alerts: "Alerts",
  },
  de: {
    locale: "de-DE", userName: "Benutzername", password: "Passwort", signIn: "Anmelden", status: "Status",
    customers: "Kunden", costs: "Kostenübersicht", costHistory: "Kostenverlauf", settings: "Einstellungen",
    audit: "Protokoll", account: "Ihr Konto", openAlerts: "Benachrichtigungen öffnen", alerts: "Benachrichtigungen",
  },
}[language];
if (!words) throw new Error(`LANGUAGE must be en or de, not ${language}`);

/** Steps after signing in: the link to click, and what shows the page is drawn. */
const modules = [
  ["Customers", (page) => page.getByRole("link", { name: words.customers, exact: true }), (page) => heading(page, words.customers)],
  ["Cost overview", (page) => page.getByRole("link", { name: words.costs }), (page) => heading(page, words.costs)],
  [
    "Billed customer (billing, charts)",
    (page) => page.locator(".overview-table tbody a").first(),
    (page) => page.getByRole("region", { name: words.costHistory }).locator("canvas[data-drawn-ms]"),
  ],
  ["Settings (staff, prices)", (page) => page.getByRole("link", { name: words.settings }), (page) => heading(page, words.settings)],
  ["Alerts (one part with the account page)", (page) => page.getByRole("link", { name: words.openAlerts }), (page) => heading(page, words.alerts)],
  ["Audit log", (page) => page.getByRole("link", { name: words.audit }), (page) => heading(page, words.audit)],
  ["Password", (page) => page.getByTestId("signed-in-user"), (page) => heading(page, words.account)],
];

function heading(page, name) {
  return page.getByRole("heading", { level: 1, name, exact: true });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});

/** One round in a fresh context: [step, bytes, ms][]. */
async function round() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: words.locale });
  const page = await context.newPage();
  let bytes = 0;
  const pending = [];
  page.on("requestfinished", (request) => {
    if (!new URL(request.url()).pathname.startsWith("/pkg/")) return;
    pending.push(
      request.sizes().then((s) => {
        bytes += s.responseBodySize + s.responseHeadersSize;
      }),
    );
  });
  /** The /pkg/ bytes since the last call, once the page has settled. */
  const taken = async () => {
    await page.waitForLoadState("networkidle");
    await Promise.all(pending.splice(0));
    const b = bytes;
    bytes = 0;
    return b;
  };
  const steps = [];
  // The sign-in page is plain HTML (no WebAssembly): ready when shown.
  await page.goto(`${base}/login`);
  await page.getByRole("button", { name: words.signIn }).waitFor();
  steps.push(["Sign-in page", await taken(), null]);

  await page.getByLabel(words.userName).fill(process.env.USERNAME ?? "demo-admin");
  await page.getByLabel(words.password).fill(process.env.PASSWORD ?? "");
  let start = Date.now();
  await page.getByRole("button", { name: words.signIn }).click();
  await heading(page, words.status).waitFor();
  let drawn = Date.now() - start;
  // A full page load: its time is the server's answer; then the app's code.
  await page.locator("body[data-hydrated]").waitFor();
  steps.push(["Status (first signed-in page)", await taken(), drawn]);

  for (const [name, link, done] of modules) {
    start = Date.now();
    await link(page).click();
    await done(page).waitFor();
    drawn = Date.now() - start;
    steps.push([name, await taken(), drawn]);
  }
  await context.close();
  return steps;
}

const results = [];
for (let i = 0; i < rounds; i++) results.push(await round());
await browser.close();

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
console.log(`${base}, ${rounds} rounds, each from an empty browser (${words.locale}); /pkg/ bytes as transferred`);
console.log("step                                   this step     total   click -> drawn (median)");
let total = 0;
results[0].forEach(([name, bytes], i) => {
  total += bytes;
  const times = results.map((r) => r[i][2]).filter((t) => t !== null);
  const time = times.length ? `${median(times)} ms` : "";
  console.log(`${name.padEnd(36)} ${kb(bytes).padStart(11)} ${kb(total).padStart(10)}   ${time}`);
});
