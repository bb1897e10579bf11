import { describe, expect, it } from "vitest";
import { ballotState } from "./ballot";

const projects = [
  { id: "a", title: "Benches", cost: 120_000 },
  { id: "b", title: "Trees", cost: 100_000 },
  { id: "c", title: "Lights", cost: 60_000 },
];

describe("the ballot's live arithmetic", () => {
  it("knapsack: sums the chosen costs and refuses a choice over the cap, saying by how much", () => {
    const rules = { voting_style: "knapsack" as const, cap: 250_000 };
    expect(ballotState(rules, projects, new Set(["a", "b"]))).toEqual({ total: 220_000, count: 2, over: 0, allowed: true });
    expect(ballotState(rules, projects, new Set(["a", "b", "c"]))).toEqual({ total: 280_000, count: 3, over: 30_000, allowed: false });
  });

  it("approval: counts projects against the maximum", () => {
    const rules = { voting_style: "approval" as const, cap: 1, max_projects: 2 };
    expect(ballotState(rules, projects, new Set(["a", "c"])).allowed).toBe(true);
    expect(ballotState(rules, projects, new Set(["a", "b", "c"])).over).toBe(1);
  });

  it("an empty ballot cannot be sent", () => {
    expect(ballotState({ voting_style: "knapsack", cap: 10 }, projects, new Set()).allowed).toBe(false);
  });
});
