import { APIResponse, expect, Locator, Page } from "@playwright/test";

export type RoleName = "admin" | "operator" | "viewer";

/** The accounts .ci/test creates with the CLI before the suite runs. */
export function account(role: RoleName): { username: string; password: string } {
  const password = process.env.E2E_PASSWORD;
  if (!password) throw new Error("E2E_PASSWORD is not set: run the suite through .ci/test");
  return { username: `e2e-${role}`, password };
}

/** The header the app's own pages send with every server-function call.
 * Calls made here through Playwright's request API carry the session
 * cookie like the page does, so they say where they come from, as a
 * browser would: the server refuses a session without it. */
export const fromOurPages = { Origin: new URL(process.env.BASE_URL ?? "http://127.0.0.1:3000").origin };

/** Waits until the WebAssembly has taken over the server-rendered page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The sign-in page is plain HTML, sent without the WebAssembly (its form
 * posts as any HTML form): it is ready once its form is shown. */
export async function signInFormShown(page: Page): Promise<void> {
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

/** Signs in through the sign-in form, as a person would. */
export async function signIn(page: Page, role: RoleName, next = "/"): Promise<void> {
  const { username, password } = account(role);
  await page.goto(next);
  await expect(page).toHaveURL(/\/login/);
  await signInFormShown(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  // The first signed-in page is a full page load: wait for the app's code.
  await hydrated(page);
}

/** Collects console errors, uncaught exceptions and CSP violations. */
export async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Runs in every document before its own scripts, so no violation is missed.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return problems;
}

/** The id of a customer of the demo data, found through the customer list. */
export async function customerIdByName(page: Page, name: string): Promise<number> {
  await page.goto(`/customers?tab=billed&q=${encodeURIComponent(name)}`);
  const href = await page.getByRole("link", { name, exact: true }).getAttribute("href");
  const id = Number(href?.split("/").pop());
  expect(id).toBeGreaterThan(0);
  return id;
}

/** "YYYY-MM" of the month `offset` months from now (UTC). */
export function monthFromNow(offset: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
}

/** "September 2026" for "2026-09". */
export function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** A billed customer made through the server function (as the signed-in
 * page), with `report` sending its usage over the machine API, as a
 * password-manager server would. */
export async function billedCustomerWithKey(
  page: Page,
  name: string,
  license: { maxUsers: number; hardLimit: boolean },
  contractDays = 60,
): Promise<{ id: number; key: string; report: (reportId: string, users: number) => Promise<APIResponse> }> {
  const created = await page.request.post("/api/customers/create", {
    headers: fromOurPages,
    data: {
      form: {
        name,
        billed: true,
        contract_end: new Date(Date.now() + contractDays * 86400e3).toISOString().slice(0, 10),
        database_name: name.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
        max_users: String(license.maxUsers),
        limit_user_creation: license.hardLimit,
        options: ["web_access"],
      },
    },
  });
  expect(created.status()).toBe(200);
  const { id, api_key: key } = await created.json();
  const report = (reportId: string, users: number) =>
    page.request.post("/api/v1/usage", {
      headers: { Authorization: `Bearer ${key}` },
      data: { report_id: reportId, observed_at: new Date().toISOString(), users },
    });
  return { id, key, report };
}

/** A short suffix that makes names unique across runs and workers. */
export function suffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Opens a "… as a table" disclosure unless it is open already. */
export async function openTable(card: Locator, summary: string): Promise<void> {
  const details = card.locator("details", { hasText: summary });
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await card.getByText(summary).click();
}

/** Moves the mouse across the chart until its tooltip names `title`; returns the tooltip's text. */
export async function hoverBar(page: Page, card: Locator, title: string): Promise<string> {
  const canvas = card.locator("canvas").first();
  await expect(canvas).toHaveAttribute("data-drawn-ms", /^\d+$/);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error("the chart has no size");
  const tip = card.getByRole("tooltip");
  for (let x = box.x + 2; x < box.x + box.width; x += box.width / 80) {
    await page.mouse.move(x, box.y + box.height * 0.6);
    if ((await tip.count()) > 0 && (await tip.innerText()).includes(title)) return tip.innerText();
  }
  throw new Error(`no bar of the chart shows "${title}"`);
}

/** The records of a CSV file (RFC 4180: quoted fields may hold the
 * delimiter, doubled quotes and line breaks), without a byte order mark. */
export function parseCsv(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = "";
    } else if (c === "\r" && body[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Cents of an amount as the app prints it ("€1,234.50", "1.234,50 €") or
 * as a CSV file has it ("1234.50", "1234,50"). */
export function cents(text: string, decimalMark = "."): number {
  const plain = text.replace(/[^0-9.,-]/g, "");
  const [whole, fraction = ""] =
    decimalMark === "." ? plain.replace(/,/g, "").split(".") : plain.replace(/\./g, "").split(",");
  expect(fraction, `two decimals in "${text}"`).toHaveLength(2);
  const sign = whole.startsWith("-") ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction));
}

const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A day as English pages write it: "1 Dec 2026" for "2026-12-01". */
export function dayName(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return `${date} ${SHORT_MONTHS[month - 1]} ${year}`;
}

/** A moment as the app's logs write it in a time zone: "25 Nov 2026,
 * 15:03:09 CET" / "25.11.2026, 15:03:09 MEZ" (the zone's abbreviation from
 * the browser's time zone data, the words from our own table). */
export function stamp(utc: string, timeZone: string, language: "en" | "de"): string {
  const at = new Date(utc);
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  const [day, month, year] = [Number(part("day")), Number(part("month")), part("year")];
  const clock = `${part("hour")}:${part("minute")}:${part("second")}`;
  let zone = part("timeZoneName");
  if (language === "de") zone = ({ CET: "MEZ", CEST: "MESZ" } as Record<string, string>)[zone] ?? zone;
  const date =
    language === "en"
      ? `${day} ${SHORT_MONTHS[month - 1]} ${year}`
      : `${String(day).padStart(2, "0")}.${String(month).padStart(2, "0")}.${year}`;
  return `${date}, ${clock} ${zone}`;
}
