// Voting in a knapsack budget: staff set one up through the API (a neighbourhood budget with a
// cap of 100,000 and three accepted projects); over the cap the page says by how much and sends
// nothing, the API refuses such a ballot too, and a ballot within the cap is accepted. Then the
// public log, downloaded and recomputed in the browser, matches its published heads.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";
import { bearer, chooseLanguage } from "./participation-helpers";

test("vote in a knapsack budget: over the cap refused, then a valid ballot accepted", async ({ page, request }) => {
  const demo = platform();
  const resident = demo.residents[0];
  const staff = await bearer(request, demo.staff);
  const mine = await bearer(request, resident);
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const title = unique("Park budget");
  const created = await request.post(url("/api/v1/city/budgets"), {
    headers: staff,
    data: {
      title, cap: 100_000, currency: "EUR", voting_style: "knapsack", ballot_unit: "person",
      neighbourhood_id: resident.neighbourhood_id,
      schedule: { proposals: day(-0.01), review: day(10), voting: day(20), results: day(30) },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const budgetId = (await created.json()).id;
  const projects: Record<string, string> = {};
  for (const [name, cost] of [["New benches", 60_000], ["Tree planting", 50_000], ["Brighter lamps", 30_000]] as const) {
    const proposed = await request.post(url(`/api/v1/budgets/${budgetId}/projects`), { headers: mine, data: { title: name, cost } });
    expect(proposed.status(), await proposed.text()).toBe(201);
    projects[name] = (await proposed.json()).id;
  }
  const phase = async (next: string) => {
    const moved = await request.post(url(`/api/v1/city/budgets/${budgetId}/phase`), { headers: staff, data: { phase: next } });
    expect(moved.ok(), await moved.text()).toBeTruthy();
  };
  await phase("review");
  for (const id of Object.values(projects)) {
    const reviewed = await request.put(url(`/api/v1/city/budgets/${budgetId}/projects/${id}/review`), { headers: staff, data: { decision: "accepted" } });
    expect(reviewed.ok(), await reviewed.text()).toBeTruthy();
  }
  await phase("voting");

  await logIn(page, resident);
  await page.getByRole("navigation").getByRole("link", { name: "Take part" }).click();
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const tally = page.locator(".tally");
  await page.getByLabel(/New benches/).check();
  await page.getByLabel(/Tree planting/).check();
  await expect(tally).toContainText("€110,000");
  await expect(tally).toContainText("Over the budget by €10,000");

  // The page refuses, saying by how much, and sends nothing.
  let ballots = 0;
  page.on("request", (sent) => { if (sent.method() === "PUT" && sent.url().endsWith("/ballot")) ballots += 1; });
  await page.getByRole("button", { name: "Cast my vote" }).click();
  await expect(page.getByRole("alert")).toContainText("Over the budget by €10,000: remove a project.");
  expect(ballots).toBe(0);
  await checkScreen(page, "budget-over-cap-en");

  // The API refuses the same ballot on its own.
  const refused = await request.put(url(`/api/v1/budgets/${budgetId}/ballot`), {
    headers: mine, data: { project_ids: [projects["New benches"], projects["Tree planting"]] },
  });
  expect(refused.status()).toBe(422);
  expect((await refused.json()).error.message).toContain("more than the budget's cap");

  await page.getByLabel(/Tree planting/).uncheck();
  await page.getByLabel(/Brighter lamps/).check();
  await expect(tally).toContainText("€90,000");
  await expect(tally).not.toContainText("Over the budget");
  await page.getByRole("button", { name: "Cast my vote" }).click();
  await expect(page.getByText("Your vote has been recorded.", { exact: false })).toBeVisible();
  expect(ballots).toBe(1);
  const budget = await (await request.get(url(`/api/v1/budgets/${budgetId}`), { headers: mine })).json();
  expect([...budget.my_ballot.project_ids].sort()).toEqual([projects["New benches"], projects["Brighter lamps"]].sort());
  await expect(page.getByText(/Your ballot \(2 projects\)/)).toBeVisible();

  await page.getByRole("button", { name: "Download and verify the log" }).click();
  await expect(page.getByText(/The log is intact: \d+ entries recomputed/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Save the log (JSON)" })).toBeVisible();
  await checkScreen(page, "budget-voted-en");

  await chooseLanguage(page, "ar");
  try {
    await page.goto(url(`/budgets/${budgetId}`));
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await checkScreen(page, "budget-ar");
  } finally {
    await chooseLanguage(page, "en");
  }
});
