import { describe, expect, it } from "vitest";
import { csrfToken, getAccessToken, setSession } from "./session";

describe("session", () => {
  it("reads the CSRF cookie among others", () => {
    expect(csrfToken("a=1; quartier_csrf=abc%3D; b=2")).toBe("abc=");
    expect(csrfToken("a=1")).toBeNull();
  });

  it("keeps the access token in memory only", () => {
    setSession({ access_token: "t1" });
    expect(getAccessToken()).toBe("t1");
    expect(localStorage.length + sessionStorage.length).toBe(0);
    setSession(null);
    expect(getAccessToken()).toBeNull();
  });
});
