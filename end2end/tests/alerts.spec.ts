import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, IncomingHttpHeaders, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Webhook } from "standardwebhooks";
import { expect, test } from "./fixtures";
import { hydrated, signIn, suffix } from "./helpers";

/** What the receiver got: the headers it checks and the body. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on loopback, started by the test: it answers 500 to
 * the first `failFirst` requests and 200 after, and keeps every request.
 */
async function receiver(failFirst: number): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      got.push({ headers: request.headers, body });
      response.statusCode = got.length <= failFirst ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook/${suffix()}`, got, server };
}

/** Checks a request with the Standard Webhooks library, as a receiver would. */
function verified(secret: string, request: Received): { type: string; data: Record<string, unknown> } {
  const headers = {
    "webhook-id": String(request.headers["webhook-id"]),
    "webhook-timestamp": String(request.headers["webhook-timestamp"]),
    "webhook-signature": String(request.headers["webhook-signature"]),
  };
  return new Webhook(secret).verify(request.body, headers) as { type: string; data: Record<string, unknown> };
}

test("an admin adds a webhook endpoint, sends a test event, sees it fail and then arrive in the log and the receiver", async ({
  page,
}) => {
  const hook = await receiver(1);
  try {
    await signIn(page, "admin", "/settings");
    await page.getByRole("link", { name: "Open alerts" }).click();
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
    const card = page.getByRole("region", { name: "Webhook endpoints" });

    // A URL that is no web address is refused next to its field.
    await card.getByLabel("URL").fill("ftp://files.example.com/in");
    await card.getByLabel("Month closed").check();
    await card.getByRole("button", { name: "Add endpoint" }).click();
    await expect(card.locator("#endpoint-url-error")).toHaveText(
      "Enter an address starting with https:// or http://, without a user name or password.",
    );
    // So is an address in the clouds' metadata range, whatever the server allows.
    await card.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data/");
    await card.getByRole("button", { name: "Add endpoint" }).click();
    await expect(card.locator("#endpoint-url-error")).toContainText("Deliveries may not go to this address");

    await card.getByLabel("URL").fill(hook.url);
    await card.getByLabel("Description (optional)").fill("PSA tickets");
    await card.getByLabel("Server silent for 48 hours").check();
    await card.getByRole("button", { name: "Add endpoint" }).click();
    await expect(card.locator(".token-reveal")).toContainText(`Endpoint ${hook.url} added.`);
    const secret = await card.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = card.getByRole("row", { name: new RegExp(hook.url) });
    await expect(row).toContainText("Month closed, Server silent for 48 hours");
    await expect(row).toContainText("On");
    await expect(card.getByLabel("URL")).toHaveValue("");

    // The test event: the receiver answers 500 the first time.
    await row.getByRole("button", { name: "Send test event" }).click();
    await expect(card.locator(".notice-error")).toContainText("The test event was not delivered (500 Internal Server Error)");
    const log = page.getByRole("region", { name: "Delivery log" });
    const delivery = log.getByRole("row", { name: /Test event/ });
    await expect(delivery).toContainText("Waiting");
    await expect(delivery).toContainText("Attempts: 1");
    await expect(row).toContainText("Failing since");

    // Sent again by hand, the deliverer takes it within a second or two.
    await delivery.getByRole("button", { name: "Send again" }).click();
    await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(2);
    await page.reload();
    // A click before the page's code has started would go nowhere.
    await hydrated(page);
    const again = page.getByRole("region", { name: "Webhook endpoints" }).getByRole("row", { name: new RegExp(hook.url) });
    await expect(again).toContainText("On");
    await again.getByRole("button", { name: "Delivery log" }).click();
    const done = page.getByRole("region", { name: "Delivery log" }).getByRole("row", { name: /Test event/ });
    await expect(done).toContainText("Delivered");
    await expect(done).toContainText("Attempts: 2");
    await done.getByText("Attempts: 2").click();
    await expect(done.getByRole("listitem")).toHaveCount(2);
    await expect(done.getByRole("listitem").first()).toContainText("200 OK");
    await expect(done.getByRole("listitem").nth(1)).toContainText("500 Internal Server Error");

    // What arrived is signed as the Standard Webhooks rules say, with the
    // same id both times.
    expect(hook.got[0].headers["webhook-id"]).toBe(hook.got[1].headers["webhook-id"]);
    for (const request of hook.got) {
      const payload = verified(secret, request);
      expect(payload.type).toBe("test");
      expect(payload.data.requested_by).toBe("e2e-admin");
    }
    expect(() => verified(secret.replace(/^whsec_./, "whsec_A"), hook.got[1])).toThrow();

    // Turned off, and removed after a second question.
    await again.getByRole("button", { name: `Turn off: ${hook.url}` }).click();
    await expect(again).toContainText("Off");
    await again.getByRole("button", { name: `Remove: ${hook.url}` }).click();
    await again.getByRole("button", { name: "Remove", exact: true }).click();
    await expect(page.getByRole("row", { name: new RegExp(hook.url) })).toHaveCount(0);
  } finally {
    hook.server.close();
  }
});

/**
 * A mail server on loopback (aiosmtpd from PyPI, `.ci/smtp_receiver.py`,
 * run with $MSP_TEST_PYTHON) that keeps every mail as JSON in a folder.
 */
async function mailReceiver(): Promise<{ port: number; mails: () => { rcpt_tos: string[]; data: string }[]; stop: () => void }> {
  const python = process.env.MSP_TEST_PYTHON;
  if (!python) throw new Error("MSP_TEST_PYTHON must name a Python with aiosmtpd (the README's test command sets it up)");
  const folder = mkdtempSync(join(tmpdir(), "msp-mail-"));
  const child: ChildProcess = spawn(python, [join(__dirname, "../../.ci/smtp_receiver.py"), folder], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the mail receiver ended (${code})`)));
  });
  return {
    port: Number(first),
    mails: () =>
      readdirSync(folder)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(folder, name), "utf8"))),
    stop: () => {
      child.kill();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

test("an admin sets up the mail server, sends a test mail and sees it in the mail log and the receiver", async ({ page }) => {
  const smtp = await mailReceiver();
  try {
    await signIn(page, "admin", "/settings/alerts");
    await hydrated(page);
    const card = page.getByRole("region", { name: "Alert mails" });
    await expect(card).toContainText("No mail server is set up");

    // Mistakes are named next to their fields.
    await card.getByLabel("Mail server (SMTP host)").fill("127.0.0.1");
    await card.getByLabel("Connection").selectOption("none");
    await card.getByLabel("Port").fill("0");
    await card.getByLabel("Sender address").fill("console@example.com");
    await card.getByLabel("User name (empty: no sign-in)").fill("alerts");
    await card.getByLabel("Password", { exact: true }).fill("mail-pass");
    await card.getByRole("button", { name: "Save mail server" }).click();
    await expect(card.locator("#smtp-port-error")).toHaveText("Enter a port from 1 to 65535.");
    await expect(card.locator("#smtp-security-error")).toContainText("only over an encrypted connection");

    await card.getByLabel("Port").fill(String(smtp.port));
    await card.getByLabel("User name (empty: no sign-in)").fill("");
    await card.getByLabel("Password", { exact: true }).fill("");
    await card.getByRole("button", { name: "Save mail server" }).click();
    await expect(card.getByRole("status")).toHaveText("Mail server saved.");
    await expect(card).toContainText("Mail server set up by e2e-admin");

    await card.getByLabel("Send a test mail to").fill("ops@example.com");
    await card.getByRole("button", { name: "Send test mail" }).click();
    await expect(card.getByRole("status").last()).toContainText("Test mail sent: 250");
    const log = page.getByRole("region", { name: "Mail log" });
    const row = log.getByRole("row", { name: /Test mail.*ops@example\.com/ });
    await expect(row).toContainText("Delivered");
    await expect(row).toContainText("Attempts: 1");

    const mails = smtp.mails();
    expect(mails).toHaveLength(1);
    expect(mails[0].rcpt_tos).toEqual(["ops@example.com"]);
    expect(mails[0].data).toContain("Subject: Test mail from MSP Server Manager");
    expect(mails[0].data).toContain("sent by e2e-admin");

    // Removed again, so that the other tests' events queue no mails.
    await card.getByRole("button", { name: "Remove mail server" }).click();
    await expect(card).toContainText("No mail server is set up");
  } finally {
    smtp.stop();
  }
});

test("everyone chooses their own alert mails on the account page", async ({ page }) => {
  await signIn(page, "operator", "/password");
  await hydrated(page);
  const card = page.getByRole("region", { name: "Alert mails" });
  await expect(card).toContainText("These are your role's defaults");
  await expect(card.getByLabel("Contract ending")).toBeChecked();
  await expect(card.getByLabel("Staff account locked out")).not.toBeChecked();

  await card.getByLabel("Your address for alerts").fill("not an address");
  await card.getByRole("button", { name: "Save alert mails" }).click();
  await expect(card.locator("#my-alert-email-error")).toHaveText("Enter one email address, such as name@example.com.");

  await card.getByLabel("Your address for alerts").fill("operator@example.com");
  await card.getByLabel("A daily digest at 7:00 in your time zone").check();
  await card.getByLabel("Contract ending").uncheck();
  await card.getByRole("button", { name: "Save alert mails" }).click();
  await expect(card.getByRole("status")).toHaveText("Alert mails saved.");
  await expect(card).not.toContainText("These are your role's defaults");

  await page.reload();
  await hydrated(page);
  const again = page.getByRole("region", { name: "Alert mails" });
  await expect(again.getByLabel("Your address for alerts")).toHaveValue("operator@example.com");
  await expect(again.getByLabel("A daily digest at 7:00 in your time zone")).toBeChecked();
  await expect(again.getByLabel("Contract ending")).not.toBeChecked();
  await expect(again.getByLabel("Month closed")).toBeChecked();

  // No address again: no mails for this account in the other tests.
  await again.getByLabel("Your address for alerts").fill("");
  await again.getByRole("button", { name: "Save alert mails" }).click();
  await expect(again.getByRole("status")).toHaveText("Alert mails saved.");
});

test("alerts are for admins: an operator is told so", async ({ page }) => {
  await signIn(page, "operator", "/settings/alerts");
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Webhook endpoints" })).toHaveCount(0);
});
