import { expect, Page } from "@playwright/test";

export type RoleName = "admin" | "operator" | "viewer";

/** The accounts .ci/test creates with the CLI before the suite runs. */
export function account(role: RoleName): { username: string; password: string } {
  const password = process.env.E2E_PASSWORD;
  if (!password) throw new Error("E2E_PASSWORD is not set: run the suite through .ci/test");
  return { username: `e2e-${role}`, password };
}

/** Waits until the WebAssembly has taken over the server-rendered page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs in through the sign-in form, as a person would. */
export async function signIn(page: Page, role: RoleName, next = "/"): Promise<void> {
  const { username, password } = account(role);
  await page.goto(next);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
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
