// Neighbours: the list (first name and street), the opt-out, and following an adjacent
// neighbourhood, whose posts the feed can then be filtered to. State is put back at the end.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn } from "./helpers";

test("see the neighbours, leave and rejoin the list, follow an adjacent neighbourhood", async ({ page }) => {
  const resident = platform().residents[1];
  await logIn(page, resident);
  await page.getByRole("navigation").getByRole("link", { name: "Neighbours" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your neighbourhood" })).toBeVisible();
  const members = page.getByRole("region", { name: "Neighbours" });
  await expect(members.getByRole("listitem").first()).toBeVisible();
  await expect(members).not.toContainText("@");
  // The map draws the home neighbourhood without tiles; its organisations are listed beside it.
  await expect(page.locator(".map path.map-shape--home")).toHaveCount(1);
  await expect(page.getByRole("list", { name: "Organisations in your neighbourhood" }).getByRole("listitem").first()).toBeVisible();

  await expect(page.getByRole("status")).toHaveText("You appear in the neighbour list.");
  await page.getByRole("button", { name: "Hide me from the neighbour list" }).click();
  await expect(page.getByRole("status")).toHaveText("You do not appear in the neighbour list.");
  await page.getByRole("button", { name: "Show me in the neighbour list" }).click();
  await expect(page.getByRole("status")).toHaveText("You appear in the neighbour list.");

  const follow = page.getByRole("button", { name: /^Follow / }).first();
  const name = (await follow.textContent())!.replace(/^Follow /, "");
  await follow.click();
  const unfollow = page.getByRole("button", { name: `Stop following ${name}` });
  await expect(unfollow).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator(".map path.map-shape--followed")).toHaveCount(1);
  await checkScreen(page, "neighbours-en");

  await page.getByRole("navigation").getByRole("link", { name: "Feed" }).click();
  const filter = page.getByLabel("Neighbourhood");
  await filter.selectOption({ label: name });
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);

  await page.getByRole("navigation").getByRole("link", { name: "Neighbours" }).click();
  await page.getByRole("button", { name: `Stop following ${name}` }).click();
  await expect(page.getByRole("button", { name: `Follow ${name}` })).toHaveAttribute("aria-pressed", "false");
});
