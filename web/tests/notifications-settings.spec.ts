// Notification settings: what I am told about on which channel, the summary e-mail and quiet
// hours, saved through the API; the device's push switch is offered as a button (never a prompt
// on load). axe and screenshots in English and Arabic; the settings are put back at the end.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { platform, type Account } from "./platform";
import { checkScreen, logIn, url } from "./helpers";

async function tokenOf(request: APIRequestContext, account: Account): Promise<string> {
  const login = await request.post(url("/api/v1/auth/login"), { data: { email: account.email, password: account.password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  return (await login.json()).access_token;
}

async function chooseLanguage(page: Page, language: string) {
  await page.goto(url("/me"));
  await page.getByLabel("Language").selectOption(language);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

test("choose the channels, a summary and quiet hours; push is a button", async ({ page, request }) => {
  const resident = platform().residents[1];
  const token = await tokenOf(request, resident);
  const headers = { Authorization: `Bearer ${token}` };
  const before = await (await request.get(url("/api/v1/me/notification-settings"), { headers })).json();

  await logIn(page, resident);
  await page.goto(url("/notifications"));
  await page.getByRole("link", { name: "Notification settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Notification settings" })).toBeVisible();
  // Nothing asks for permission by itself: the page offers a button.
  expect(await page.evaluate(() => Notification.permission)).toBe("default");
  const push = page.getByRole("region", { name: "Notifications on this device" });
  await expect(push.getByRole("button", { name: "Turn on notifications on this device" })).toBeVisible();

  const replies = page.getByRole("group", { name: "Comments on your posts" });
  await replies.getByLabel("E-mail").setChecked(false);
  await replies.getByLabel("On this device").setChecked(true);
  await page.getByLabel("Once a week").check();
  await page.getByLabel("Quiet hours (nothing but urgent alerts)").check();
  await page.getByLabel("From").fill("21:30");
  await page.getByLabel("Until").fill("06:45");
  await checkScreen(page, "notification-settings-en");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Your settings are saved.")).toBeVisible();

  const saved = await (await request.get(url("/api/v1/me/notification-settings"), { headers })).json();
  expect(saved.channels.reply).toMatchObject({ email: false, push: true });
  expect(saved.digest).toBe("weekly");
  expect(saved.quiet_hours).toMatchObject({ start: "21:30", end: "06:45" });

  await chooseLanguage(page, "ar");
  await page.goto(url("/notifications/settings"));
  await expect(page.getByRole("group", { name: "Comments on your posts" })).toBeVisible();
  await checkScreen(page, "notification-settings-ar");
  await chooseLanguage(page, "en");

  const restored = await request.put(url("/api/v1/me/notification-settings"), {
    headers, data: { channels: before.channels, digest: before.digest, quiet_hours: before.quiet_hours ?? null },
  });
  expect(restored.ok(), await restored.text()).toBeTruthy();
});
