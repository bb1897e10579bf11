// The notifications inbox: a neighbour comments on my post (through the API); the navigation
// counts it unread, the inbox says who commented and links to the post, and marking it read
// lowers the count. axe and screenshots in English and Arabic.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { platform, type Account } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";

async function tokenOf(request: APIRequestContext, account: Account): Promise<string> {
  const login = await request.post(url("/api/v1/auth/login"), { data: { email: account.email, password: account.password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  return (await login.json()).access_token;
}

async function chooseLanguage(page: Page, language: string) {
  await page.goto(url("/me"));
  await page.getByLabel("Language").selectOption(language);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

test("a neighbour's comment on my post reaches my inbox, and I mark it read", async ({ page, request }) => {
  const [neighbour, author] = platform().residents;
  const authorToken = await tokenOf(request, author);
  const title = unique("Ladder to lend");
  const posted = await request.post(url("/api/v1/posts"), {
    headers: { Authorization: `Bearer ${authorToken}` },
    data: { category: "classified", kind: "lend", title, body: "A 3 m ladder, ask me.", language: "en" },
  });
  expect(posted.status(), await posted.text()).toBe(201);
  const postId = (await posted.json()).id as string;
  const commented = await request.post(url(`/api/v1/posts/${postId}/comments`), {
    headers: { Authorization: `Bearer ${await tokenOf(request, neighbour)}` },
    data: { body: "I would like to borrow it on Saturday." },
  });
  expect(commented.status(), await commented.text()).toBe(201);

  await logIn(page, author);
  const navigation = page.getByRole("navigation");
  await expect(navigation.getByRole("link", { name: /^Notifications, \d+ unread$/ })).toBeVisible();
  await navigation.getByRole("link", { name: /^Notifications/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  const reply = page.locator(`a[href="/posts/${postId}"]`);
  await expect(reply).toHaveText(/commented on your post$/);
  await checkScreen(page, "notifications-en");

  const before = Number((await page.getByRole("status").textContent())!.match(/\d+/)![0]);
  const item = page.getByRole("listitem").filter({ has: reply });
  await item.getByRole("button", { name: /^Mark as read/ }).click();
  await expect(item.getByRole("button", { name: /^Mark as read/ })).toHaveCount(0);
  await expect(item).not.toContainText("Unread");
  const after = before - 1;
  await expect(page.getByRole("status")).toHaveText(after > 0 ? `${after} unread` : "Everything is read.");
  await expect(navigation.getByRole("link", { name: /^Notifications/ })).toHaveAccessibleName(
    after > 0 ? `Notifications, ${after} unread` : "Notifications");

  await reply.click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();

  // Arabic, right to left (English text): the profile's language, put back at the end.
  await chooseLanguage(page, "ar");
  await page.goto(url("/notifications"));
  await expect(page.locator(`a[href="/posts/${postId}"]`)).toBeVisible();
  await checkScreen(page, "notifications-ar");
  await chooseLanguage(page, "en");
});
