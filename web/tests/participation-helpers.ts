// Shared by the participation and incident flows: tokens for API set-up, and the profile's
// language (which the app applies on every load), put back by the caller.
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import type { Account } from "./platform";
import { url } from "./helpers";

export async function bearer(request: APIRequestContext, account: Account) {
  const login = await request.post(url("/api/v1/auth/login"), { data: { email: account.email, password: account.password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

export async function chooseLanguage(page: Page, language: string) {
  await page.goto(url("/me"));
  await page.getByLabel("Language").selectOption(language);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}
