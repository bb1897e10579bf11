// Browser sessions: the refresh token is an HttpOnly cookie scripts cannot read, the access
// token lives in memory (a reload keeps the session through the cookie), logout ends it.
import { expect, test } from "@playwright/test";
import { platform } from "./platform";
import { logIn, url } from "./helpers";

test("a reload keeps the session through the HttpOnly cookie; logout ends it", async ({ page, context }) => {
  const resident = platform().residents[0];
  await logIn(page, resident);
  const cookies = await context.cookies();
  const refresh = cookies.find((cookie) => cookie.name === "quartier_refresh")!;
  expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api/v1/auth" });
  // Nothing of the session where a script could take it away.
  const visible = await page.evaluate(() => ({
    cookies: document.cookie,
    stored: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  }));
  expect(visible.cookies).not.toContain(refresh.value);
  expect(visible.stored).not.toMatch(/eyJ|refresh/);

  await page.reload();
  await expect(page.getByRole("region", { name: "Feed" })).toBeVisible();

  // A cross-site style refresh without the CSRF header is refused even with the cookie.
  const forged = await page.evaluate(async () =>
    (await fetch("/api/v1/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status,
  );
  expect(forged).toBe(403);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  expect((await context.cookies()).find((cookie) => cookie.name === "quartier_refresh")).toBeUndefined();
  await page.goto(url("/feed"));
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
});

test("the shell is served with a strict policy and app routes fall back to it", async ({ request }) => {
  const shell = await request.get(url("/posts/some-post"));
  expect(shell.status()).toBe(200);
  const policy = shell.headers()["content-security-policy"];
  expect(policy).toContain("script-src 'self';");
  expect(policy).not.toContain("unsafe-inline");
  expect(shell.headers()["cache-control"]).toBe("no-cache");
  const api404 = await request.get(url("/api/v1/no-such-route"));
  expect(api404.status()).toBe(404);
  expect((await api404.json()).error.code).toBe("not_found");
});
