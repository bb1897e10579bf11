// axe-core on every screen, in English and in Arabic (right to left), with screenshots.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, url } from "./helpers";

for (const language of ["en", "ar"] as const) {
  test.describe(`screens in ${language}`, () => {
    test.use({ locale: language === "ar" ? "ar" : "en-GB" });

    test(`anonymous screens (${language})`, async ({ page }) => {
      await page.goto(url("/"));
      await expect(page.locator("html")).toHaveAttribute("dir", language === "ar" ? "rtl" : "ltr");
      await expect(page.locator("html")).toHaveAttribute("lang", language);
      await checkScreen(page, `landing-${language}`);
      await page.goto(url("/register"));
      await checkScreen(page, `register-${language}`);
      await page.goto(url("/login"));
      await checkScreen(page, `login-${language}`);
      await page.goto(url("/no-such-page"));
      await checkScreen(page, `not-found-${language}`);
    });

    test(`signed-in screens (${language})`, async ({ page }) => {
      // Arabic falls back to English text, so the English names still find the controls. The
      // profile's language is set to the one under test, and back to English at the end.
      const resident = platform().residents[0];
      await logIn(page, resident);
      await page.goto(url("/me"));
      await page.getByLabel("Language").selectOption(language);
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", language);
      await checkScreen(page, `me-${language}`);
      await page.goto(url("/feed"));
      await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();
      await checkScreen(page, `feed-${language}`);
      await page.getByRole("button", { name: "New post" }).click();
      await checkScreen(page, `new-post-${language}`);
      await page.goto(url("/neighbours"));
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await checkScreen(page, `neighbours-${language}`);
      await page.goto(url("/me"));
      await page.getByLabel("Language").selectOption("en");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
    });
  });
}

test("the landing page switches language", async ({ page }) => {
  await page.goto(url("/"));
  await page.getByLabel("Language").selectOption("de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Willkommen in Ihrer Nachbarschaft");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
});
