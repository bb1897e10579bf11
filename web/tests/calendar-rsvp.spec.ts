// Calendar: A's first try reads as an advert and is refused with its reasons beside the fields;
// A fixes it and the event is in the calendar; B answers "Going" and the count shows 1.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";
import { inArabic } from "./profile-language";

/** A datetime-local value `days` from now at `hour` o'clock, in the browser's zone. */
function localMoment(days: number, hour: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(hour)}:00`;
}

test("an event is created after a commercial refusal, and a neighbour's RSVP counts", async ({ browser }) => {
  const [a, b] = platform().residents;
  const pageA = await (await browser.newContext()).newPage();
  await logIn(pageA, a);
  await pageA.getByRole("navigation").getByRole("link", { name: "Calendar" }).click();
  await expect(pageA.getByRole("heading", { level: 1, name: "Calendar" })).toBeVisible();
  await pageA.getByRole("link", { name: "New event" }).click();

  const title = unique("Street party");
  await pageA.getByLabel("Title").fill(title);
  await pageA.getByLabel("Starts").fill(localMoment(3, 18));
  await pageA.getByLabel("Ends").fill(localMoment(3, 22));
  await pageA.getByLabel("Place").fill("The playground, rue Haute");
  await pageA.getByLabel("Description").fill("Entrance 25 €. Buy your tickets now, special offer!");
  await pageA.getByRole("button", { name: "Add to the calendar" }).click();
  const summary = pageA.getByRole("alert");
  await expect(summary).toContainText("There is a problem");
  await expect(summary).toContainText("10 €");
  await expect(pageA.locator(".field--error")).not.toHaveCount(0);
  await checkScreen(pageA, "new-event-refused-en");

  await pageA.getByLabel("Description").fill("Bring something to share. Music from 19:00.");
  await pageA.getByRole("button", { name: "Add to the calendar" }).click();
  const cardA = pageA.getByRole("listitem").filter({ hasText: title });
  await expect(cardA).toContainText("0 going · 0 not going");
  await expect(cardA).toContainText("Organised by you");
  await checkScreen(pageA, "calendar-en");

  const pageB = await (await browser.newContext()).newPage();
  await logIn(pageB, b);
  await pageB.goto(url("/calendar"));
  const cardB = pageB.getByRole("listitem").filter({ hasText: title });
  await expect(cardB).toContainText("Organised by Marie");
  await cardB.getByRole("button", { name: "Going", exact: true }).click();
  await expect(cardB).toContainText("1 going · 0 not going");
  await expect(cardB.getByRole("button", { name: "Going", exact: true })).toHaveAttribute("aria-pressed", "true");

  await pageA.reload();
  await expect(pageA.getByRole("listitem").filter({ hasText: title })).toContainText("1 going");

  await inArabic(pageB, async () => {
    await pageB.goto(url("/calendar"));
    await expect(pageB.getByRole("listitem").filter({ hasText: title })).toBeVisible();
    await checkScreen(pageB, "calendar-ar");
    await pageB.goto(url("/calendar/new"));
    await pageB.getByRole("button", { name: "Add to the calendar" }).click();
    await expect(pageB.getByRole("alert")).toBeVisible();
    await checkScreen(pageB, "new-event-ar");
  });
});
