import { describe, expect, it } from "vitest";
import { problemOf } from "./client";

describe("problemOf", () => {
  it("reads field problems at the top of details and one level down in details.fields", () => {
    const problem = problemOf(400, { error: { code: "invalid", message: "bad", details: { title: "too short", fields: { skills: "unknown skills: x" } } } });
    expect(problem.fields).toEqual({ title: "too short", skills: "unknown skills: x" });
  });

  it("keeps the details that are not fields, such as a refusal's reasons", () => {
    const reasons = [{ rule: "fee_above_small_fee", matched: ["25 €"] }];
    expect(problemOf(422, { error: { code: "unprocessable", message: "no", details: { reasons } } }).details?.reasons).toEqual(reasons);
  });
});
