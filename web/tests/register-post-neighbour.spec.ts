// The first flow of issue 15: a newcomer registers with the code from their letter, posts (in
// French); a neighbour sees the post, comments, thanks, translates it (a LibreTranslate-compatible
// test server) and back to the original, and reports it. axe and a screenshot on each screen.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";

const FRENCH = "Je prête une échelle de trois mètres pendant deux semaines. Sonnez au numéro 12.";

test("register with a letter's code, post, and a neighbour comments, thanks, translates and reports", async ({ browser }) => {
  const demo = platform();
  // A fresh code in the neighbourhood of a demo resident, who will be the neighbour.
  const neighbour = demo.residents.find((r) => demo.invitation_codes.some((c) => c.neighbourhood_id === r.neighbourhood_id))!;
  const code = demo.invitation_codes.find((c) => c.neighbourhood_id === neighbour.neighbourhood_id)!.code;
  const title = unique("Échelle à prêter");

  const newcomer = await (await browser.newContext()).newPage();
  await newcomer.goto(url("/"));
  await checkScreen(newcomer, "landing-en");
  await newcomer.getByRole("link", { name: "I have an invitation letter" }).click();
  await expect(newcomer.getByLabel("Invitation code")).toHaveValue("");

  // The letter's link pre-fills the code.
  await newcomer.goto(url(`/register?code=${encodeURIComponent(code)}`));
  await expect(newcomer.getByLabel("Invitation code")).toHaveValue(code);
  // Submitting empty fields: the error summary names them, nothing is lost.
  await newcomer.getByRole("button", { name: "Create account" }).click();
  await expect(newcomer.getByRole("alert")).toContainText("There is a problem");
  await checkScreen(newcomer, "register-errors-en");
  await newcomer.getByLabel("E-mail").fill(`${Date.now().toString(36)}@newcomer.example`);
  await newcomer.getByLabel("Password").fill("a long and proper passphrase 7");
  await newcomer.getByLabel("Name").fill("Nina Newcomer");
  await newcomer.getByRole("button", { name: "Create account" }).click();
  const feed = newcomer.getByRole("region", { name: "Feed" });
  await expect(feed).toBeVisible();
  await checkScreen(newcomer, "feed-newcomer-en");

  await newcomer.getByRole("button", { name: "New post" }).click();
  await newcomer.getByLabel("Type of post").selectOption("classified");
  await newcomer.getByLabel("What do you want to do?").selectOption("lend");
  await newcomer.getByLabel("Title").fill(title);
  await newcomer.getByLabel("Message").fill(FRENCH);
  await checkScreen(newcomer, "new-post-en");
  await newcomer.getByRole("button", { name: "Publish" }).click();
  await expect(newcomer.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await newcomer.getByRole("link", { name: "Back to the feed" }).click();
  await expect(feed.getByRole("link", { name: title })).toBeVisible();
  await checkScreen(newcomer, "feed-with-post-en");

  // The neighbour, in a browser of their own.
  const other = await (await browser.newContext()).newPage();
  await logIn(other, neighbour);
  await expect(other.getByRole("region", { name: "Feed" }).getByRole("link", { name: title })).toBeVisible();
  await other.getByRole("link", { name: title }).click();
  await expect(other.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await other.getByLabel("Your comment").fill("I could use it on Saturday!");
  await other.getByRole("button", { name: "Send" }).click();
  await expect(other.getByText("I could use it on Saturday!")).toBeVisible();
  const thanks = other.getByRole("button", { name: /^Thanks/ });
  await thanks.click();
  await expect(thanks).toHaveAttribute("aria-pressed", "true");
  await expect(thanks).toContainText("1");
  // Translation, with the original one tap away.
  // The post's button comes before the comments' own "Translate" buttons.
  await other.getByRole("button", { name: "Translate" }).first().click();
  await expect(other.getByText(`[en] ${FRENCH}`)).toBeVisible();
  await expect(other.getByText("Translated from French")).toBeVisible();
  await checkScreen(other, "post-translated-en");
  await other.getByRole("button", { name: "Show original" }).click();
  await expect(other.getByText(FRENCH, { exact: true })).toBeVisible();
  await other.getByText("Report", { exact: true }).click();
  await other.getByLabel("Off topic").check();
  await checkScreen(other, "post-en");
  await other.getByRole("button", { name: "Send report" }).click();
  await expect(other.getByRole("status")).toContainText("A moderator will look at it");

  // The author sees the comment and the thanks.
  await newcomer.getByRole("link", { name: title }).click();
  await expect(newcomer.getByText("I could use it on Saturday!")).toBeVisible();
  await expect(newcomer.getByRole("button", { name: /^Thanks/ })).toContainText("1");
});
