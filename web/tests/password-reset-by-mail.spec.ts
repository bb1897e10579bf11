// Password reset end to end: "Forgot your password?" on the login page, the e-mail the platform
// writes (an .eml file under its var/mail), the link's page, then a login with the new password.
// A made-up link gets the same answer as a used one. axe and screenshots in English and Arabic.
import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { platform } from "./platform";
import { checkScreen, unique, url } from "./helpers";

const OLD_PASSWORD = "an old passphrase to forget";
const NEW_PASSWORD = "a brand new passphrase";

/** The reset token of the newest e-mail to `address` under the platform's var/mail (the message's
 * parts are base64: decode each and look for the link). */
function resetTokenMailedTo(address: string): string | null {
  const directory = resolve((platform() as unknown as { var_dir: string }).var_dir, "mail");
  let files: string[];
  try {
    files = readdirSync(directory).filter((name) => name.endsWith(".eml"));
  } catch {
    return null;
  }
  for (const name of files) {
    const message = readFileSync(resolve(directory, name), "utf8");
    if (!new RegExp(`^To: .*${address.replace(/[.+]/g, "\\$&")}`, "mi").test(message)) continue;
    for (const part of message.split(/\r?\n--/)) {
      if (!/Content-Transfer-Encoding: base64/i.test(part)) continue;
      const text = Buffer.from(part.split(/\r?\n\r?\n/).slice(1).join(""), "base64").toString("utf8");
      const found = text.match(/\/reset-password\?token=([^\s"<&]+)/);
      if (found) return decodeURIComponent(found[1]);
    }
  }
  return null;
}

test("reset a forgotten password through the e-mailed link", async ({ page, request }) => {
  const language = "en";
  // A newcomer of our own (the demo residents keep their passwords for the other flows),
  // registered with an invitation code of a neighbourhood where no demo resident lives.
  const demo = platform();
  const homes = new Set(demo.residents.map((r) => r.neighbourhood_id));
  const codes = demo.invitation_codes.filter((c) => !homes.has(c.neighbourhood_id));
  const code = codes[codes.length - 1].code;
  const email = `${unique("reset").replace(/\W+/g, "-")}@example.org`;
  const registered = await request.post(url("/api/v1/auth/register"), {
    data: { invitation_code: code, email, password: OLD_PASSWORD, display_name: "Rosa Reset", language },
  });
  expect(registered.status(), await registered.text()).toBe(201);

  await page.goto(url("/login"));
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await checkScreen(page, `password-reset-request-${language}`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByRole("status")).toContainText(`If an account uses ${email}`);

  await expect.poll(() => resetTokenMailedTo(email), { timeout: 15_000 }).not.toBeNull();
  const token = resetTokenMailedTo(email)!;

  // A made-up link: told it does not work, with the way to a new one.
  await page.goto(url("/reset-password?token=made-up"));
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toHaveText(/does not work any more/);
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();

  await page.goto(url(`/reset-password?token=${encodeURIComponent(token)}`));
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  // Too short: the API's reason beside the field, the form kept.
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "There is a problem" })).toBeVisible();
  await checkScreen(page, `password-reset-confirm-${language}`);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password is changed");

  await page.getByRole("link", { name: "Log in" }).last().click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(OLD_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "There is a problem" })).toBeVisible();
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();
});

test.describe("in Arabic", () => {
  test.use({ locale: "ar" });

  test("the password reset screens, right to left", async ({ page }) => {
    await page.goto(url("/forgot-password"));
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByLabel("E-mail")).toBeVisible();
    await checkScreen(page, "password-reset-request-ar");
    await page.goto(url("/reset-password?token=made-up"));
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("heading", { name: "There is a problem" })).toBeVisible();
    await checkScreen(page, "password-reset-confirm-ar");
  });
});
