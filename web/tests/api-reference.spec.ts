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
  // Every tag is listed (collapsed); open one and try an operation.
  const document = await (await page.request.get(url("/api/v1/openapi.json"))).json();
  const tags = new Set<string>();
  for (const operations of Object.values(document.paths) as Record<string, { tags: string[] }>[]) {
    for (const operation of Object.values(operations)) tags.add(operation.tags[0]);
  }
  await expect(page.locator(".opblock-tag")).toHaveCount(tags.size);
  await page.locator("#operations-tag-platform").click();
  const health = page.locator("#operations-platform-healthz");
  await health.locator(".opblock-summary").first().click();
  await health.getByRole("button", { name: "Execute" }).click();
  await expect(health.locator(".live-responses-table tbody .response-col_status").first()).toContainText("200");
  await page.screenshot({ path: resolve(SCREENSHOTS, "api-reference.png") });
  expect(blocked).toEqual([]);
  expect(elsewhere).toEqual([]);
});
