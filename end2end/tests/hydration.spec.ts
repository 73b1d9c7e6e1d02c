import { expect, test } from "./fixtures";
import { customerIdByName, monthFromNow, signIn, watchForProblems, fromOurPages } from "./helpers";

// Every page, loaded afresh several times at a phone's and a desktop's
// width: each load must hydrate and log no error. (Hydration that depends on
// timing fails only now and then, so one load per page is not enough.)
const pages = ["/", "/customers", "/customers?tab=test", "/customers?tab=deactivated", "/customers/new", "/costs",
  `/costs/statements/${monthFromNow(-1)}`, `/costs?month=${monthFromNow(-2)}&q=a&changes=1&sort=total&dir=desc&range=24`,
  "/settings", "/audit"];

for (const width of [1280, 360]) {
  test(`every page hydrates on every load at ${width} px`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width, height: 800 });
    const problems = await watchForProblems(page);
    await signIn(page, "admin");
    const created = await page.request.post("/api/customers/create", {
    headers: fromOurPages,
      data: { form: { name: `Hydration ${width} ${Date.now()}`, billed: true, contract_end: "2999-12-31",
        database_name: `hydration_${width}_${Date.now()}`, max_users: "5", limit_user_creation: false, options: [] } },
    });
    const { id } = await created.json();
    const acme = await customerIdByName(page, "Acme Corporation");
    const all = [...pages, `/customers/${id}`, `/customers/${id}?view=history`, `/customers/${id}/contract`,
      `/customers/${id}/options`, `/customers/${acme}`, `/customers/${acme}?months=24`,
      `/customers/${acme}/statements/${monthFromNow(-2)}`];
    for (let round = 0; round < 3; round++) {
      for (const path of all) {
        await page.goto(path);
        await expect(page.locator("body"), `${path} hydrates (${problems.join(" | ")})`).toHaveAttribute(
          "data-hydrated",
          "true",
        );
      }
    }
    // Pointing at the charts (the tooltip is placed by script) breaks no rule either.
    for (const path of [`/customers/${acme}`, "/costs"]) {
      await page.goto(path);
      for (const canvas of await page.locator("canvas").all()) {
        await expect(canvas).toHaveAttribute("data-drawn-ms", /^\d+$/);
        await canvas.scrollIntoViewIfNeeded();
        const box = await canvas.boundingBox();
        if (!box) continue;
        await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
        await expect(page.getByRole("tooltip")).toBeVisible();
      }
    }
    expect(problems).toEqual([]);
  });
}

// Modules may come in parts of the WebAssembly loaded on first visit: each
// must work when it is the first page of a new browser (a reload on a deep
// link), and every other module must then load by a click on its link.
test("every module works after a reload on a deep link in a new browser, and leads to every other", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const modules: [string, string][] = [
    ["/", "Status"],
    ["/customers", "Customers"],
    ["/costs", "Cost overview"],
    ["/settings", "Settings"],
    ["/audit", "Audit log"],
    ["/password", "Your account"],
  ];
  for (const [path] of modules) {
    const page = await browser.newPage();
    const problems = await watchForProblems(page);
    await signIn(page, "admin", path);
    await page.reload();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    for (const [, title] of modules) {
      const link =
        title === "Your account"
          ? page.getByTestId("signed-in-user")
          : page.getByRole("navigation", { name: "Modules" }).getByRole("link", { name: title, exact: true });
      await link.click();
      await expect(page.getByRole("heading", { level: 1, name: title, exact: true }), `${title} from ${path}`).toBeVisible();
    }
    expect(problems, `starting at ${path}`).toEqual([]);
    await page.close();
  }
});

// A module's first page names its part of the WebAssembly in the head, so
// the browser fetches it beside the main code instead of after it; every
// load, also with other pages drawn at the same time.
test("a module's page preloads its part of the code on every load", async ({ page }) => {
  await signIn(page, "admin", "/");
  const modules: [string, string][] = [
    ["/customers", "customers"],
    ["/costs", "costs"],
    ["/settings", "settings"],
    ["/audit", "audit"],
    ["/password", "account"],
  ];
  const loads = await Promise.all(
    Array.from({ length: 4 }, () => modules).flat().map(async ([path, module]) => {
      const html = await (await page.request.get(path)).text();
      const preloaded = new RegExp(`<link[^>]*href="/pkg/[a-z]+/split_${module}_module_\\d+\\.wasm"[^>]*>`).test(html);
      return `${path}: ${preloaded ? "preloaded" : "not preloaded"}`;
    }),
  );
  expect(loads.filter((load) => !load.endsWith(": preloaded"))).toEqual([]);
});

// A module's part of the WebAssembly is loaded once: going back to a
// module already visited downloads no code.
test("a module visited before loads no code again", async ({ page }) => {
  await signIn(page, "admin", "/");
  const nav = page.getByRole("navigation", { name: "Modules" });
  const open = async (title: string) => {
    await nav.getByRole("link", { name: title, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: title, exact: true })).toBeVisible();
    await page.waitForLoadState("networkidle");
  };
  const code: string[] = [];
  page.on("request", (request) => {
    if (/\/pkg\/.*\.(wasm|js)$/.test(new URL(request.url()).pathname)) code.push(new URL(request.url()).pathname);
  });
  await open("Customers");
  await open("Audit log");
  expect(code.length, "the first visits load their parts").toBeGreaterThan(0);
  code.length = 0;
  await open("Customers");
  await open("Audit log");
  await open("Status");
  expect(code).toEqual([]);
});
