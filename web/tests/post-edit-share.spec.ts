// The author's own post: edit it with its type's fields, share it with the city (whose staff then
// read it through the API) and stop sharing, mark a help request solved, delete a post. axe and
// screenshots of the author's post and of the edit form in English and Arabic.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { platform, type Account } from "./platform";
import { checkScreen, logIn, unique, url } from "./helpers";

async function tokenOf(request: APIRequestContext, account: Account): Promise<string> {
  const login = await request.post(url("/api/v1/auth/login"), { data: { email: account.email, password: account.password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  return (await login.json()).access_token;
}

async function publish(request: APIRequestContext, token: string, post: Record<string, unknown>): Promise<string> {
  const posted = await request.post(url("/api/v1/posts"), { headers: { Authorization: `Bearer ${token}` }, data: { language: "en", ...post } });
  expect(posted.status(), await posted.text()).toBe(201);
  return (await posted.json()).id;
}

async function chooseLanguage(page: Page, language: string) {
  await page.goto(url("/me"));
  await page.getByLabel("Language").selectOption(language);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

test("edit my post, share it with the city and stop, solve a help request, delete a post", async ({ page, request }) => {
  const demo = platform();
  const author = demo.residents[2];
  const token = await tokenOf(request, author);
  const staff = await tokenOf(request, demo.staff);
  const cityReads = async (id: string) =>
    (await request.get(url(`/api/v1/posts/${id}`), { headers: { Authorization: `Bearer ${staff}` } })).status();

  const ladder = await publish(request, token, { category: "classified", kind: "lend", title: unique("Ladder"), body: "A 3 m ladder to lend." });
  await logIn(page, author);
  await page.goto(url(`/posts/${ladder}`));
  const owner = page.getByRole("region", { name: "Your post" });
  await expect(owner.getByRole("status")).toHaveText("Only your neighbours can read this post.");
  await checkScreen(page, "post-own-en");

  // Edit: the classified's own field (what to do) and the title.
  await owner.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit your post" })).toBeVisible();
  await expect(page.getByLabel("What do you want to do?")).toHaveValue("lend");
  await checkScreen(page, "post-edit-en");
  const newTitle = unique("Ladder to give away");
  await page.getByLabel("What do you want to do?").selectOption("give");
  await page.getByLabel("Title").fill(newTitle);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: newTitle })).toBeVisible();
  const edited = await request.get(url(`/api/v1/posts/${ladder}`), { headers: { Authorization: `Bearer ${token}` } });
  expect(await edited.json()).toMatchObject({ kind: "give", title: newTitle });

  // Shared with the city: its staff read it; once unshared, they get 404.
  expect(await cityReads(ladder)).toBe(404);
  await owner.getByRole("button", { name: "Share with the city" }).click();
  await expect(owner.getByRole("status")).toHaveText("The city can read this post.");
  expect(await cityReads(ladder)).toBe(200);
  await owner.getByRole("button", { name: "Stop sharing with the city" }).click();
  await expect(owner.getByRole("status")).toHaveText("Only your neighbours can read this post.");
  expect(await cityReads(ladder)).toBe(404);

  // A help request, marked solved.
  const help = await publish(request, token, { category: "help", title: unique("Who can water my plants"), body: "Away next week." });
  await page.goto(url(`/posts/${help}`));
  await owner.getByRole("button", { name: "Mark as solved" }).click();
  await expect(page.getByText("Solved", { exact: true })).toBeVisible();
  await expect(owner.getByRole("button", { name: "Mark as solved" })).toHaveCount(0);

  // Arabic, right to left (English text): the author's post and the edit form.
  await chooseLanguage(page, "ar");
  await page.goto(url(`/posts/${ladder}`));
  await expect(page.getByRole("region", { name: "Your post" })).toBeVisible();
  await checkScreen(page, "post-own-ar");
  await page.goto(url(`/posts/${ladder}/edit`));
  await expect(page.getByLabel("Title")).toHaveValue(newTitle);
  await checkScreen(page, "post-edit-ar");
  await chooseLanguage(page, "en");

  // Deleted after a confirmation: back on the feed, and the post is gone for everyone.
  await page.goto(url(`/posts/${help}`));
  await owner.getByRole("button", { name: "Delete post" }).click();
  await owner.getByRole("button", { name: "Yes, delete it" }).click();
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();
  expect((await request.get(url(`/api/v1/posts/${help}`), { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(404);
});
