// A survey with every question type and a conditional question (created by staff through the
// API, asked of one person at a time so the demo's household survey stays unanswered): the
// conditional question appears only after the choice it depends on, the API's refusal of an
// unanswered required question is shown beside that question, and the response is accepted once.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";
import { chooseLanguage } from "./participation-helpers";

test("answer a survey with a conditional question", async ({ page, request }) => {
  const demo = platform();
  const resident = demo.residents[2] ?? demo.residents[0];
  const staffLogin = await request.post(url("/api/v1/auth/login"), { data: demo.staff });
  const staff = { Authorization: `Bearer ${(await staffLogin.json()).access_token}` };
  const title = unique("Cycling in our streets");
  const created = await request.post(url("/api/v1/city/surveys"), {
    headers: staff,
    data: {
      title, neighbourhood_ids: [resident.neighbourhood_id], response_unit: "person",
      closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      sections: [{ id: "s1", title: "Getting around", questions: [
        { id: "travel", type: "single_choice", text: "How do you usually get around?",
          options: [{ id: "walk", label: "On foot" }, { id: "bike", label: "By bike" }] },
        { id: "parking", type: "scale", text: "Is there enough bike parking?",
          show_if: { question_id: "travel", any_of: ["bike"] } },
        { id: "days", type: "multiple_choice", text: "Which days do you travel?",
          options: [{ id: "week", label: "Weekdays" }, { id: "weekend", label: "Weekends" }] },
        { id: "priorities", type: "ranking", text: "Rank what matters most",
          options: [{ id: "safety", label: "Safety" }, { id: "speed", label: "Speed" }, { id: "quiet", label: "Quiet" }] },
        { id: "street", type: "short_text", text: "Your favourite street" },
        { id: "ideas", type: "long_text", text: "What would you change?", required: false },
        { id: "grid", type: "matrix", text: "How do you rate these?",
          rows: [{ id: "lanes", label: "Bike lanes" }, { id: "lights", label: "Lighting" }],
          columns: [{ id: "good", label: "Good" }, { id: "poor", label: "Poor" }] },
      ] }],
    },
  });
  expect(created.status(), await created.text()).toBe(201);

  await logIn(page, resident);
  await page.getByRole("navigation").getByRole("link", { name: "Take part" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Take part" })).toBeVisible();
  await checkScreen(page, "participation-en");
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();

  const parking = page.getByRole("group", { name: "Is there enough bike parking?" });
  await expect(parking).toHaveCount(0);
  await page.getByLabel("On foot").check();
  await expect(parking).toHaveCount(0);
  await page.getByLabel("By bike").check();
  await expect(parking).toBeVisible();

  await page.getByLabel("Weekends").check();
  await page.getByRole("button", { name: "Move Quiet up" }).click();
  await page.getByLabel("Bike lanes").selectOption({ label: "Good" });
  await page.getByLabel("Lighting").selectOption({ label: "Poor" });
  await page.getByLabel("What would you change?").fill("More trees along the river");
  await checkScreen(page, "survey-en");

  // Nothing given for the bike parking scale nor the street: the API names both questions.
  await page.getByRole("button", { name: "Send my answers" }).click();
  const summary = page.getByRole("alert");
  await expect(summary).toContainText("There is a problem");
  await expect(parking.locator(".error-message")).toHaveText("required");
  await expect(page.locator("#q-street-error")).toHaveText("required");
  await checkScreen(page, "survey-errors-en");

  await parking.getByLabel("7").check();
  await page.getByLabel("Your favourite street").fill("Rue de la Gare");
  await page.getByRole("button", { name: "Send my answers" }).click();
  await expect(page.getByText("Thank you: your answers have been received.")).toBeVisible();

  const again = await page.request.get(url(`/api/v1/city/surveys/${(await created.json()).id}/results`), { headers: staff });
  expect(again.status()).toBe(200);

  await chooseLanguage(page, "ar");
  try {
    await page.goto(url("/participate"));
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("link", { name: title })).toBeVisible();
    await checkScreen(page, "participation-ar");
    await page.getByRole("link", { name: title }).click();
    await expect(page.getByText("Thank you: your answers have been received.")).toBeVisible();
    await checkScreen(page, "survey-ar");
  } finally {
    await chooseLanguage(page, "en");
  }
});
