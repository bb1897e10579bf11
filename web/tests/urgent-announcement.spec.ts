// The city's urgent announcement sits above the feed, whatever the category filter, and opens
// like any post.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";

test("an urgent announcement from the city is on top of the feed", async ({ page, request }) => {
  const demo = platform();
  const resident = demo.residents[0];
  const login = await request.post(url("/api/v1/auth/login"), { data: demo.staff });
  expect(login.ok()).toBeTruthy();
  const staffToken = (await login.json()).access_token;
  const title = unique("Water cut on Rue de la Gare");
  const published = await request.post(url("/api/v1/city/announcements"), {
    headers: { Authorization: `Bearer ${staffToken}` },
    data: { title, body: "No water from 9:00 to 12:00 tomorrow.", neighbourhood_ids: [resident.neighbourhood_id], urgent: true, language: "en" },
  });
  expect(published.status(), await published.text()).toBe(201);

  await logIn(page, resident);
  const urgent = page.getByRole("region", { name: "Urgent from the city" });
  await expect(urgent.getByRole("link", { name: title })).toBeVisible();
  await page.getByLabel("Category").selectOption("pet");
  await expect(urgent.getByRole("link", { name: title })).toBeVisible();
  await checkScreen(page, "feed-urgent-en");
  await urgent.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
});
