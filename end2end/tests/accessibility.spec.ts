import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { expect, expectNotFound, test } from "./fixtures";
import { customerIdByName, hydrated, monthFromNow, signIn, signInFormShown } from "./helpers";

// Every page of the app, checked by axe-core (WCAG 2 A and AA rules) at a
// desktop and a phone width: no serious or critical violation.

const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 360, height: 780 },
];

async function expectAccessible(page: Page, label: string): Promise<void> {
  // The sign-in steps are plain HTML: ready once their form shows.
  if (label === "/login") await signInFormShown(page);
  else if (label === "/login/code") await expect(page.getByRole("button", { name: "Verify and sign in" })).toBeVisible();
  else await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const grave = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(grave, `${label} at ${page.viewportSize()?.width} px`).toEqual([]);
}

for (const size of WIDTHS) {
  test(`the sign-in page passes axe-core at ${size.width} px`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto("/login");
    await expectAccessible(page, "/login");
    // Its second step (the page shows without a sign-in waiting for it).
    await page.goto("/login/code");
    await expectAccessible(page, "/login/code");
  });

  test(`every signed-in page passes axe-core at ${size.width} px`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(size);
    await signIn(page, "admin", "/");
    const billed = await customerIdByName(page, "Acme Corporation");
    const lastMonth = monthFromNow(-1);
    expectNotFound("/no-such-page");
    const paths = [
      "/",
      "/customers?tab=billed",
      "/customers?tab=test",
      "/customers/new",
      `/customers/${billed}`,
      `/customers/${billed}/contract`,
      `/customers/${billed}/options`,
      "/costs",
      `/costs?month=${lastMonth}`,
      "/settings",
      "/settings/alerts",
      "/audit",
      "/password",
      "/no-such-page",
    ];
    for (const path of paths) {
      await page.goto(path);
      await expectAccessible(page, path);
    }
    // The figures behind a chart, opened as a keyboard user would.
    await page.goto(`/customers/${billed}`);
    await hydrated(page);
    const disclosure = page.locator("details.chart-table summary").first();
    await disclosure.click();
    await expectAccessible(page, `/customers/${billed} with its chart's table open`);
  });
}
