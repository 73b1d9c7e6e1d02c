import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

test("a staff member sees where they are signed in and ends another browser's session", async ({ browser }) => {
  const desk = await browser.newContext();
  const phone = await browser.newContext({ userAgent: IPHONE });
  const deskPage = await desk.newPage();
  const phonePage = await phone.newPage();
  await signIn(phonePage, "operator");
  await signIn(deskPage, "operator", "/password");

  const sessions = deskPage.getByRole("region", { name: "Your sessions" });
  // This browser first, marked; the phone listed with its device.
  await expect(sessions.getByRole("row").nth(1)).toContainText("This browser");
  const phoneRow = sessions.getByRole("row").filter({ hasText: "Safari on iPhone" });
  await expect(phoneRow).toHaveCount(1);
  await phoneRow.getByRole("button", { name: /^End the session of Safari on iPhone from / }).click();
  await expect(deskPage.getByRole("status").filter({ hasText: "The session was ended" })).toHaveText(
    "The session was ended: that browser is signed out.",
  );
  await expect(sessions.getByRole("row").filter({ hasText: "Safari on iPhone" })).toHaveCount(0);

  // The phone's next request finds its session gone.
  await phonePage.reload();
  await expect(phonePage).toHaveURL(/\/login/);
  // This browser carries on.
  await deskPage.reload();
  await hydrated(deskPage);
  await expect(deskPage.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await desk.close();
  await phone.close();
});
