// Switches a signed-in resident's profile language through the Me screen (the profile's
// language wins over the browser's on every sign-in, so this is how a screen is seen in Arabic).
import { expect, type Page } from "@playwright/test";
import { url } from "./helpers";

export async function setProfileLanguage(page: Page, language: string) {
  await page.goto(url("/me"));
  await page.getByLabel("Language").selectOption(language);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

/** Runs `screens` with the profile in Arabic (right to left), then puts English back. */
export async function inArabic(page: Page, screens: () => Promise<void>) {
  await setProfileLanguage(page, "ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  try {
    await screens();
  } finally {
    await setProfileLanguage(page, "en");
  }
}
