// Prints the API key of a new billed customer, made through the app's own
// server functions as an operator would (for the Schemathesis run of the
// test command). BASE_URL, USERNAME and PASSWORD say where and who.
const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const browserLike = { Origin: base, "Sec-Fetch-Site": "same-origin", Accept: "application/json" };

const login = await fetch(`${base}/api/login`, {
  method: "POST",
  headers: { ...browserLike, "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ username: process.env.USERNAME, password: process.env.PASSWORD, next: "" }),
});
const cookie = (login.headers.getSetCookie?.() ?? []).find((c) => c.startsWith("msp_session="))?.split(";")[0];
if (!login.ok || !cookie) throw new Error(`sign-in failed: ${login.status}`);

const contractEnd = new Date(Date.now() + 365 * 86400e3).toISOString().slice(0, 10);
const suffix = Date.now().toString(36);
const created = await fetch(`${base}/api/customers/create`, {
  method: "POST",
  headers: { ...browserLike, "Content-Type": "application/json", Cookie: cookie },
  body: JSON.stringify({
    form: {
      name: `Schemathesis ${suffix}`,
      billed: true,
      contract_end: contractEnd,
      database_name: `schemathesis_${suffix}`,
      max_users: "500",
      limit_user_creation: false,
      options: ["web_access"],
    },
  }),
});
if (!created.ok) throw new Error(`creating the customer failed: ${created.status} ${await created.text()}`);
const { api_key: key } = await created.json();
process.stdout.write(`${key}\n`);
