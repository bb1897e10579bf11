// The interactive API reference at /api/v1/docs: Swagger UI from the build (no CDN), every route
// listed, "Try it out" sending a real request to this origin, and nothing the page's
// Content-Security-Policy had to block.
import { expect, test } from "@playwright/test";
import { SCREENSHOTS, url } from "./helpers";
import { resolve } from "node:path";

test("the API reference lists the routes and tries one", async ({ page }) => {
  const blocked: string[] = [];
  const elsewhere: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) blocked.push(message.text());
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(url("/"))) elsewhere.push(request.url());
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url("/api/v1/docs"));
  await expect(page.getByRole("heading", { name: /Quartier/ }).first()).toBeVisible();
  const health = page.locator("#operations-platform-healthz");
  await health.getByRole("button").first().click();
  await health.getByRole("button", { name: "Execute" }).click();
  await expect(health.locator(".live-responses-table tbody .response-col_status").first()).toContainText("200");
  await page.screenshot({ path: resolve(SCREENSHOTS, "api-reference.png") });
  expect(blocked).toEqual([]);
  expect(elsewhere).toEqual([]);
});
