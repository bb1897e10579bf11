// The typed API client (openapi-fetch over the generated schema). Every call carries the
// in-memory access token; a 401 refreshes once through the session cookie and retries.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { CLIENT_HEADERS, getAccessToken, refreshSession } from "./session";

function withToken(request: Request): Request {
  const token = getAccessToken();
  const authorised = new Request(request);
  if (token) authorised.headers.set("Authorization", `Bearer ${token}`);
  for (const [name, value] of Object.entries(CLIENT_HEADERS)) authorised.headers.set(name, value);
  return authorised;
}

export async function sessionFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withToken(request));
  if (response.status !== 401 || request.url.includes("/api/v1/auth/")) return response;
  const renewed = await refreshSession();
  return renewed ? fetch(withToken(retry)) : response;
}

export const api = createClient<paths>({ baseUrl: "", fetch: sessionFetch });

export type Problem = {
  status: number; code: string; message: string; fields: Record<string, string>;
  /** the error's details as sent, for what is not a field ("reasons" of a refusal) */
  details?: Record<string, unknown>;
};

/** The gateway's `{"error": {code, message, details}}` as something a form can show: details
 * name the fields ("title", "body", "(root)"). */
export function problemOf(status: number, error: unknown): Problem {
  const body = (error as { error?: { code?: string; message?: string; details?: unknown } })?.error;
  const fields: Record<string, string> = {};
  if (body?.details && typeof body.details === "object") {
    for (const [name, message] of Object.entries(body.details as Record<string, unknown>)) {
      if (typeof message === "string") fields[name] = message;
    }
    // Services list their own field problems one level down, in `details.fields`.
    const nested = (body.details as { fields?: unknown }).fields;
    if (nested && typeof nested === "object") {
      for (const [name, message] of Object.entries(nested as Record<string, unknown>)) {
        if (typeof message === "string") fields[name] = message;
      }
    }
  }
  const details = body?.details && typeof body.details === "object" ? (body.details as Record<string, unknown>) : undefined;
  return { status, code: body?.code ?? "internal", message: body?.message ?? "", fields, details };
}

export class ApiProblem extends Error {
  constructor(public problem: Problem) {
    super(problem.message || problem.code);
  }
}

/** Unwraps an openapi-fetch result for TanStack Query: the data, or an ApiProblem thrown. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiProblem(problemOf(result.response.status, result.error));
  }
  return result.data as T;
}
