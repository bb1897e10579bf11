import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { resolve } from "node:path";
import { platform, type Account } from "./platform";

export const SCREENSHOTS = resolve(import.meta.dirname, "..", "test-results", "screenshots");

/** axe-core on the current screen: no serious or critical violation (WCAG 2.x A and AA rules);
 * then a full-page screenshot kept under test-results/screenshots/. */
export async function checkScreen(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const blocking = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(blocking, `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export function url(path: string): string {
  return platform().url + path;
}

export async function logIn(page: Page, account: Account) {
  await page.goto(url("/login"));
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();
}

export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
