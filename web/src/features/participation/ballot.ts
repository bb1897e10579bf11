// The ballot's live arithmetic: what the choice costs against the cap (knapsack) or how many
// projects it holds against the maximum (approval), and whether the UI may submit it.

export type Project = { id: string; title: string; description?: string | null; cost: number; status?: string };
export type BallotRules = { voting_style: "knapsack" | "approval"; cap: number; max_projects?: number | null };
export type BallotState = { total: number; count: number; over: number; allowed: boolean };

export function ballotState(rules: BallotRules, projects: Project[], chosen: ReadonlySet<string>): BallotState {
  const picked = projects.filter((project) => chosen.has(project.id));
  const total = picked.reduce((sum, project) => sum + project.cost, 0);
  const count = picked.length;
  const over = rules.voting_style === "knapsack"
    ? Math.max(0, total - rules.cap)
    : Math.max(0, count - (rules.max_projects ?? Infinity));
  return { total, count, over, allowed: count > 0 && over === 0 };
}
