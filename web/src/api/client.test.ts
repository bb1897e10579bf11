import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionFetch } from "./client";
import { getAccessToken, setSession } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
  document.cookie = "quartier_csrf=; max-age=0";
});

describe("sessionFetch", () => {
  it("sends the in-memory token, and on a 401 refreshes once through the cookie and retries", async () => {
    setSession({ access_token: "old" });
    document.cookie = "quartier_csrf=c1";
    const seen: { url: string; auth: string | null; csrf: string | null }[] = [];
    vi.stubGlobal("fetch", vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = typeof input === "string" ? new Request(`http://app${input}`, init) : input;
      seen.push({ url: new URL(request.url).pathname, auth: request.headers.get("Authorization"), csrf: request.headers.get("X-CSRF-Token") });
      if (request.url.endsWith("/api/v1/auth/refresh")) return Response.json({ access_token: "new", user: { id: "u1" } });
      return new Response(null, { status: request.headers.get("Authorization") === "Bearer new" ? 200 : 401 });
    }));
    const response = await sessionFetch(new Request("http://app/api/v1/feed"));
    expect(response.status).toBe(200);
    expect(seen).toEqual([
      { url: "/api/v1/feed", auth: "Bearer old", csrf: null },
      { url: "/api/v1/auth/refresh", auth: null, csrf: "c1" },
      { url: "/api/v1/feed", auth: "Bearer new", csrf: null },
    ]);
    expect(getAccessToken()).toBe("new");
  });

  it("without a session cookie a 401 stays a 401", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(null, { status: 401 })));
    expect((await sessionFetch(new Request("http://app/api/v1/me"))).status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
