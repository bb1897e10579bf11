// WCAG 2.2 AA: the whole register-and-post flow with the keyboard alone — every control reached
// with Tab (focus visible), filled by typing, activated with Enter.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { platform } from "./platform";
import { unique, url } from "./helpers";

/** Tab forward until `target` has the focus; fails if it is not reachable within `limit` tabs. */
async function tabTo(page: Page, target: Locator, limit = 30) {
  for (let i = 0; i < limit; i += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) {
      // A visible focus indicator: the outline the stylesheet sets for :focus-visible.
      const outline = await target.evaluate((element) => getComputedStyle(element).outlineStyle);
      expect(outline).not.toBe("none");
      return;
    }
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reachable with Tab: ${target}`);
}

test("register and post with the keyboard alone", async ({ page }) => {
  const demo = platform();
  const homes = new Set(demo.residents.map((r) => r.neighbourhood_id));
  // The second code outside the demo residents' neighbourhoods (export-and-delete uses the first).
  const code = demo.invitation_codes.filter((c) => !homes.has(c.neighbourhood_id))[1].code;
  const title = unique("Keyboard post");

  await page.goto(url(`/register?code=${encodeURIComponent(code)}`));
  // React renders after the load event: a Tab before that would land nowhere.
  await expect(page.getByLabel("E-mail")).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await tabTo(page, page.getByLabel("E-mail"));
  await page.keyboard.type(`${Date.now().toString(36)}@keyboard.example`);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type("typed without a mouse 123");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Name")).toBeFocused();
  await page.keyboard.type("Kim Keys");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();

  await tabTo(page, page.getByRole("button", { name: "New post" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "New post" })).toBeVisible();
  await tabTo(page, page.getByLabel("Title"));
  await page.keyboard.type(title);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Message")).toBeFocused();
  await page.keyboard.type("Written and published from the keyboard.");
  await tabTo(page, page.getByRole("button", { name: "Publish" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
});
