import { expect, test } from "./fixtures";
import { billedCustomerWithKey, hydrated, signIn, suffix } from "./helpers";

test("the status page lists a customer that never reported and a contract ending soon, then one that reports drops off", async ({
  page,
}) => {
  await signIn(page, "operator", "/");
  const name = `Silent Ending ${suffix()}`;
  // Five days left on its contract, and no report yet.
  const { id, report } = await billedCustomerWithKey(page, name, { maxUsers: 10, hardLimit: false }, 5);

  await page.reload();
  await hydrated(page);
  const metering = page.getByRole("region", { name: "Metering" });
  const silent = metering.getByRole("listitem").filter({ hasText: name });
  await expect(silent).toContainText("never reported");
  await expect(silent.getByRole("link", { name })).toHaveAttribute("href", `/customers/${id}`);
  const ending = page.getByRole("region", { name: "Ending within 14 days" });
  await expect(ending.getByRole("link", { name })).toBeVisible();
  await expect(page.getByRole("region", { name: "Month close" })).toContainText("Last closed");
  // This server: the database file's size and the disk's free space.
  const database = page.getByRole("region", { name: "Database" });
  await expect(database).toContainText(/Size\s*[\d.,]+ [KMG]iB/);
  await expect(database).toContainText(/Free disk\s*[\d.,]+ [KMGT]iB/);
  await expect(page.getByRole("status").filter({ hasText: /^Updated \d\d:\d\d:\d\d UTC$/ })).toBeVisible();

  // It reports: it leaves the silent list.
  const reported = await report(`status-${suffix()}`, 3);
  expect(reported.status()).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Metering" }).getByRole("link", { name })).toHaveCount(0);
});
