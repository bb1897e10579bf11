// The browser session. The access token lives only in this module's memory; the refresh token is
// an HttpOnly cookie the gateway sets for `X-Quartier-Client: web` (scripts never see it). The
// cookie refresh and logout repeat the script-readable CSRF cookie in a header (double submit).
import type { components } from "./schema";

export const CLIENT_HEADERS = { "X-Quartier-Client": "web" } as const;
const CSRF_COOKIE = "quartier_csrf";

type Schemas = components["schemas"];
export type Profile = {
  id?: string;
  email?: string | null;
  display_name?: string;
  language?: string;
  role?: string;
  neighbourhood_id?: string | null;
  street?: string | null;
  municipality_id?: string;
};
export type Tokens = { access_token?: string; expires_in?: number; user?: Profile };
// Keeps the generated types in use here so a renamed schema breaks the build, not the runtime.
export type ApiError = Schemas extends { Error: infer E } ? E : never;

let accessToken: string | null = null;
let refreshing: Promise<Tokens | null> | null = null;
const listeners = new Set<(tokens: Tokens | null) => void>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function onSessionChange(listener: (tokens: Tokens | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setSession(tokens: Tokens | null): void {
  accessToken = tokens?.access_token ?? null;
  for (const listener of listeners) listener(tokens);
}

export function csrfToken(cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}

async function authCall(path: string): Promise<Response> {
  return fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      ...CLIENT_HEADERS,
      "Content-Type": "application/json",
      "X-CSRF-Token": csrfToken() ?? "",
    },
    body: "{}",
  });
}

/** A new access token from the cookie; null when there is no session (or it ended). One refresh
 * at a time: refresh tokens are single use, so two parallel refreshes would end the session. */
export function refreshSession(): Promise<Tokens | null> {
  if (!csrfToken()) return Promise.resolve(null);
  refreshing ??= authCall("/api/v1/auth/refresh")
    .then(async (response) => {
      const tokens = response.ok ? ((await response.json()) as Tokens) : null;
      setSession(tokens);
      return tokens;
    })
    .catch(() => null)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function endSession(): Promise<void> {
  try {
    if (csrfToken()) await authCall("/api/v1/auth/logout");
  } finally {
    setSession(null);
  }
}
