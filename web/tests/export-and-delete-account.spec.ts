// "Me": a newcomer downloads everything Quartier holds about them, then deletes their account;
// logging in again fails.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { platform } from "./platform";
import { checkScreen, url } from "./helpers";

test("export my data as a download, delete my account, and the login fails", async ({ page }) => {
  const demo = platform();
  // A code in a neighbourhood where no demo resident lives (the other flows use theirs).
  const homes = new Set(demo.residents.map((r) => r.neighbourhood_id));
  const code = demo.invitation_codes.find((c) => !homes.has(c.neighbourhood_id))!.code;
  const email = `${Date.now().toString(36)}@leaving.example`;
  const password = "a long and proper passphrase 8";

  await page.goto(url(`/register?code=${encodeURIComponent(code)}`));
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Name").fill("Lea Leaving");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();

  await page.getByRole("navigation").getByRole("link", { name: "Me" }).click();
  await expect(page.getByLabel("Name")).toHaveValue("Lea Leaving");
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download my data" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("quartier-export.json");
  const exported = JSON.parse(readFileSync((await download.path())!, "utf8"));
  expect(JSON.stringify(exported.identity)).toContain(email);

  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.getByRole("button", { name: "Yes, delete my account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to your neighbourhood" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Your account has been deleted.");

  // A page of its own: Chromium keeps the first page's download counted as network activity.
  const again = await page.context().newPage();
  await again.goto(url("/login"));
  await again.getByLabel("E-mail").fill(email);
  await again.getByLabel("Password").fill(password);
  await again.getByRole("button", { name: "Log in" }).click();
  await expect(again.getByRole("alert")).toContainText("The e-mail or password is not right.");
  await checkScreen(again, "login-failed-en");
});
