// Initiatives: a resident proposes one to the neighbourhood, a neighbour supports it and sees
// the progress towards the city's threshold; one's own initiative offers no support button.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";

test("propose an initiative and a neighbour supports it", async ({ browser }) => {
  const [author, neighbour] = platform().residents;
  const title = unique("A bench by the fountain");
  const authorPage = await (await browser.newContext()).newPage();
  await logIn(authorPage, author);
  await authorPage.goto(url("/participate"));
  await authorPage.getByLabel("Title").fill(title);
  await authorPage.getByLabel("What do you propose?").fill("Older neighbours need somewhere to rest on the way to the market.");
  await authorPage.getByRole("button", { name: "Propose", exact: true }).click();
  const mine = authorPage.getByRole("listitem").filter({ has: authorPage.getByRole("heading", { name: title }) });
  await expect(mine).toContainText(/0 of \d+ supports/);
  await expect(mine.getByRole("button", { name: `Support ${title}` })).toHaveCount(0);

  const page = await (await browser.newContext()).newPage();
  await logIn(page, neighbour);
  await page.goto(url("/participate"));
  const theirs = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: title }) });
  await theirs.getByRole("button", { name: `Support ${title}` }).click();
  await expect(theirs).toContainText(/1 of \d+ supports/);
  await expect(theirs).toContainText("You support this initiative.");
  await expect(theirs.getByRole("progressbar")).toHaveAttribute("value", "1");
  await checkScreen(page, "initiatives-en");
});
