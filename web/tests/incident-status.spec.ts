// Reporting an incident: category, text and a point chosen without a mouse (from the middle of
// the home neighbourhood, moved with the compass buttons), then the status staff set through the
// API shows on the report, with its history.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique } from "./helpers";
import { bearer, chooseLanguage } from "./participation-helpers";
import { url } from "./helpers";

test("report an incident and see the status staff set", async ({ page, request }) => {
  const demo = platform();
  const resident = demo.residents[1] ?? demo.residents[0];
  const text = unique("The street lamp at the corner has been out for a week");
  await logIn(page, resident);
  await page.getByRole("navigation").getByRole("link", { name: "Report a problem" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My reports" })).toBeVisible();
  await page.getByRole("link", { name: "Report an incident" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Report an incident" })).toBeVisible();

  await page.getByLabel("What is the problem?").selectOption({ label: "Street lighting" });
  await page.getByLabel("Describe it").fill(text);
  // The point starts at the neighbourhood's middle (its shape drawn on the map without tiles).
  const point = page.getByRole("status").filter({ hasText: "Point: latitude" });
  await expect(point).toBeVisible();
  await expect(page.locator(".map path.map-shape--home")).toBeVisible();
  const before = await point.textContent();
  await page.getByRole("button", { name: "25 m north" }).focus();
  await page.keyboard.press("Enter");
  await expect(point).not.toHaveText(before!);
  await page.getByLabel("Landmark (optional)").fill("by the bakery");
  await checkScreen(page, "incident-new-en");
  await page.getByRole("button", { name: "Send the report" }).click();

  await expect(page.getByText("Status: Received")).toBeVisible();
  const incidentId = page.url().split("/incidents/")[1];
  const staff = await bearer(request, demo.staff);
  const moved = await request.put(url(`/api/v1/city/incidents/${incidentId}/status`), { headers: staff, data: { status: "in_progress" } });
  expect(moved.ok(), await moved.text()).toBeTruthy();
  await page.reload();
  await expect(page.getByText("Status: In progress")).toBeVisible();
  const history = page.getByRole("region", { name: "What happened" }).getByRole("listitem");
  await expect(history).toHaveCount(2);
  await expect(history.nth(1)).toContainText("In progress");
  await checkScreen(page, "incident-en");

  await page.getByRole("link", { name: "My reports" }).click();
  const card = page.getByRole("listitem").filter({ hasText: text });
  await expect(card).toContainText("In progress");
  await checkScreen(page, "incidents-en");

  await chooseLanguage(page, "ar");
  try {
    await page.goto(url("/incidents/new"));
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("status").filter({ hasText: "Point: latitude" })).toBeVisible();
    await checkScreen(page, "incident-new-ar");
    await page.goto(url(`/incidents/${incidentId}`));
    await expect(page.getByText("Status: In progress")).toBeVisible();
    await checkScreen(page, "incident-ar");
  } finally {
    await chooseLanguage(page, "en");
  }
});
