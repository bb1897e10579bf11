// Helpers: resident A offers French lessons through the skill catalogue; resident B, a neighbour,
// finds A by typing the skill without its accent. A's profile is removed at the end.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, url } from "./helpers";
import { inArabic } from "./profile-language";

test("a neighbour finds my helper profile by an accent-less query of its skill", async ({ browser, request }) => {
  const [a, b] = platform().residents;
  const pageA = await (await browser.newContext()).newPage();
  await logIn(pageA, a);
  await pageA.getByRole("navigation").getByRole("link", { name: "Helpers" }).click();
  await expect(pageA.getByRole("heading", { level: 1, name: "Helpers" })).toBeVisible();
  await checkScreen(pageA, "helpers-en");
  await pageA.getByRole("link", { name: "Offer your help" }).click();

  // Saving without a skill is refused beside the skill picker and in the summary.
  await pageA.getByRole("button", { name: "Save profile" }).click();
  await expect(pageA.getByRole("alert")).toContainText("Choose at least one skill");

  await pageA.getByLabel("Find a skill").fill("french");
  await pageA.getByRole("checkbox", { name: "French lessons" }).check();
  await expect(pageA.getByText("1 chosen")).toBeVisible();
  await pageA.getByRole("checkbox", { name: "Weekends" }).check();
  await pageA.getByRole("checkbox", { name: "Français" }).check();
  await pageA.getByLabel("Anything else you offer").fill("Conversation over coffee, beginners welcome.");
  await pageA.getByRole("checkbox", { name: "The city may invite me to help when it calls for volunteers" }).check();
  await pageA.getByRole("button", { name: "Save profile" }).click();
  await expect(pageA.getByRole("status")).toHaveText("Your helper profile is saved.");
  await checkScreen(pageA, "helper-profile-en");

  const pageB = await (await browser.newContext()).newPage();
  await logIn(pageB, b);
  await pageB.goto(url("/helpers"));
  await pageB.getByRole("searchbox", { name: "Search helpers" }).fill("cours de francais");
  const results = pageB.getByRole("region", { name: "Helpers found" });
  // The index takes the profile within seconds: search again until it is there.
  await expect(async () => {
    await pageB.getByRole("button", { name: "Search", exact: true }).click();
    await expect(results.getByRole("listitem").filter({ hasText: "Conversation over coffee" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  const card = results.getByRole("listitem").filter({ hasText: "Conversation over coffee" });
  await expect(card).toContainText("French lessons");
  await expect(card).toContainText("Weekends");
  await expect(card).not.toContainText("@");
  await checkScreen(pageB, "helpers-search-en");

  // The city calls for a volunteer with that skill (staff, through the API); A accepts.
  const demo = platform();
  const staffLogin = await request.post(url("/api/v1/auth/login"), { data: demo.staff });
  const staff = { Authorization: `Bearer ${(await staffLogin.json()).access_token}` };
  const callout = await request.post(url("/api/v1/city/callouts"), {
    headers: staff, data: { neighbourhood_id: a.neighbourhood_id, skill: "french_lessons", wanted: 1, message: "Welcome evening for newcomers" },
  });
  expect(callout.status()).toBe(201);
  await pageA.goto(url("/helpers"));
  const invitations = pageA.getByRole("region", { name: "Invitations from the city" });
  const invitation = invitations.getByRole("listitem").filter({ hasText: "Welcome evening for newcomers" });
  await expect(invitation).toContainText("Waiting for your answer");
  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(invitation).toContainText("You accepted");

  await inArabic(pageA, async () => {
    await pageA.goto(url("/helpers"));
    await expect(pageA.getByRole("heading", { level: 1 })).toBeVisible();
    await checkScreen(pageA, "helpers-ar");
    await pageA.goto(url("/helpers/profile"));
    await expect(pageA.getByRole("checkbox", { name: "French lessons" })).toBeChecked();
    await checkScreen(pageA, "helper-profile-ar");
  });

  await pageA.goto(url("/helpers/profile"));
  await pageA.getByRole("button", { name: "Remove my helper profile" }).click();
  await expect(pageA.getByRole("status")).toHaveText("Your helper profile is removed.");
});
