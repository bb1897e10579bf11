import { ApiProblem } from "../api/client";
import type { FormError } from "./ErrorSummary";

/** A failed call as form errors: the API's field details beside their fields (named by
 * `fieldIds`: API name → input id), everything else as one message. */
export function formErrorsOf(
  error: unknown,
  fieldIds: Record<string, string>,
  fallback: string,
  byCode: Record<string, string> = {},
): FormError[] {
  if (!(error instanceof ApiProblem)) return [{ message: fallback }];
  const { problem } = error;
  const known = byCode[problem.code] ?? byCode[String(problem.status)];
  if (known) return [{ message: known }];
  const fields = Object.entries(problem.fields)
    .filter(([name]) => name in fieldIds)
    .map(([name, message]) => ({ field: fieldIds[name], message }));
  return fields.length ? fields : [{ message: problem.message || fallback }];
}

export function errorFor(errors: FormError[], field: string): string | undefined {
  return errors.find((error) => error.field === field)?.message;
}
