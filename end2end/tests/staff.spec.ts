import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an admin adds a staff account that can then sign in", async ({ page, browser }) => {
  await signIn(page, "admin", "/settings");
  const username = `new-operator-${Date.now()}`;
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Role").selectOption("operator");
  await page.getByLabel("Initial password").fill("a new long password");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("status")).toHaveText("The account was created.");
  await expect(page.getByRole("cell", { name: username })).toBeVisible();

  const other = await browser.newPage();
  await other.goto("/login");
  await hydrated(other);
  await other.getByLabel("User name").fill(username);
  await other.getByLabel("Password").fill("a new long password");
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("signed-in-role")).toHaveText("Operator");
  await other.close();
});

test("a taken user name gets a message next to the field", async ({ page }) => {
  await signIn(page, "admin", "/settings");
  await page.getByLabel("User name").fill("e2e-viewer");
  await page.getByLabel("Initial password").fill("a new long password");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.locator("#staff-username-error")).toHaveText("This user name is already taken.");
});

for (const role of ["viewer", "operator"] as const) {
  test(`${role === "operator" ? "an" : "a"} ${role} sees no staff controls and a direct call is refused`, async ({ page }) => {
    await signIn(page, role, "/settings");
    await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add account" })).toHaveCount(0);
    const status = await page.evaluate(async () => {
      const response = await fetch("/api/create_staff", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "sneaky", role: "admin", password: "a long password!" }),
      });
      return response.status;
    });
    expect(status).toBe(403);
  });
}
