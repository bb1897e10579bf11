// Chat between two residents: A starts a conversation from the neighbour list and writes, B
// reads and answers, A reads the answer and reports it; A blocks B, B's next message is refused
// and B is told why. A unblocks B at the end.
import { expect, test, type Page } from "@playwright/test";
import { platform } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";
import { inArabic } from "./profile-language";

async function send(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

test("two neighbours write to each other; a block stops the blocked one", async ({ browser }) => {
  const [a, b] = platform().residents;
  const pageA = await (await browser.newContext()).newPage();
  const pageB = await (await browser.newContext()).newPage();
  await logIn(pageA, a);
  await logIn(pageB, b);

  await pageA.goto(url("/neighbours"));
  await pageA.getByRole("button", { name: "Send a message to Luca" }).click();
  await expect(pageA.getByRole("heading", { level: 1 })).toHaveText("Luca Rossi");
  const hello = unique("Hello Luca, shall we share the lawnmower?");
  await send(pageA, hello);
  await expect(pageA.getByRole("textbox", { name: "Message" })).toHaveValue("");
  const messagesA = pageA.getByRole("region", { name: "Messages" });
  await expect(messagesA.getByRole("listitem").last()).toContainText(hello);

  await pageB.getByRole("navigation").getByRole("link", { name: "Chat" }).click();
  await expect(pageB.getByRole("heading", { level: 1, name: "Chat" })).toBeVisible();
  await expect(pageB.getByText("1 unread")).toBeVisible();
  await checkScreen(pageB, "chat-en");
  await pageB.getByRole("link", { name: "Marie Dupont" }).click();
  const messagesB = pageB.getByRole("region", { name: "Messages" });
  await expect(messagesB).toContainText(hello);
  const answer = unique("Gladly, Saturday morning?");
  await send(pageB, answer);
  // Newest at the bottom.
  await expect(messagesB.getByRole("listitem").last()).toContainText(answer);

  // A's open conversation picks the answer up by itself (polling while the page is in view).
  await pageA.bringToFront();
  await expect(messagesA.getByRole("listitem").last()).toContainText(answer, { timeout: 15_000 });
  const theirs = messagesA.getByRole("listitem").last();
  await theirs.getByText("Report this message").click();
  await theirs.getByLabel("Spam or advertising").check();
  await theirs.getByRole("button", { name: "Send report" }).click();
  await expect(theirs.getByRole("status")).toHaveText("Thank you. Moderation will read this message.");
  await checkScreen(pageA, "conversation-en");

  await pageA.getByRole("button", { name: "Block Luca Rossi" }).click();
  await expect(pageA.getByRole("button", { name: "Unblock Luca Rossi" })).toBeVisible();
  const refused = unique("Are you there?");
  await pageB.bringToFront();
  await send(pageB, refused);
  await expect(pageB.getByRole("alert")).toHaveText(
    "Your message was not sent: someone in this conversation has blocked you.");
  // Nothing typed is lost.
  await expect(pageB.getByRole("textbox", { name: "Message" })).toHaveValue(refused);
  await expect(messagesB).not.toContainText(refused);
  await checkScreen(pageB, "conversation-blocked-en");

  await inArabic(pageB, async () => {
    await pageB.goto(url("/chat"));
    await expect(pageB.getByRole("heading", { level: 1 })).toBeVisible();
    await checkScreen(pageB, "chat-ar");
    await pageB.getByRole("link", { name: "Marie Dupont" }).click();
    await expect(pageB.getByRole("region", { name: "Messages" })).toContainText(answer);
    await checkScreen(pageB, "conversation-ar");
  });

  await pageA.bringToFront();
  await pageA.getByRole("button", { name: "Unblock Luca Rossi" }).click();
  await expect(pageA.getByRole("button", { name: "Block Luca Rossi" })).toBeVisible();

  // A group: A names it and picks Luca from the neighbours; it opens, and Luca can read it.
  await pageA.goto(url("/chat"));
  await pageA.getByText("New group").click();
  const group = unique("Rue Haute garden");
  await pageA.getByLabel("Group name").fill(group);
  await pageA.getByRole("checkbox", { name: /^Luca/ }).check();
  await pageA.getByRole("button", { name: "Create group" }).click();
  await expect(pageA.getByRole("heading", { level: 1 })).toHaveText(group);
  await send(pageA, "Seeds on Saturday");
  await pageB.goto(url("/chat"));
  await pageB.getByRole("link", { name: group }).click();
  await expect(pageB.getByRole("region", { name: "Messages" })).toContainText("Seeds on Saturday");
});
