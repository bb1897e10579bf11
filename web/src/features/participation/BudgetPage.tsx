import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { useI18n } from "../../i18n/I18n";
import "./participation.css";
import { ballotState, type BallotRules, type Project } from "./ballot";
import { verifyLog, type LogEntry, type LogHead, type Verification } from "./logChain";

type Budget = BallotRules & {
  id: string;
  title: string;
  description?: string | null;
  currency: string;
  phase: string;
  projects: (Project & { mine?: boolean; reason?: string | null })[];
  my_ballot?: { project_ids: string[]; cast_at: string; updated_at: string } | null;
};
type ResultRow = { rank: number; id: string; title: string; cost: number; votes: number; funded: boolean };

function useMoney(currency: string) {
  const { language } = useI18n();
  const format = new Intl.NumberFormat(language, { style: "currency", currency: currency || "EUR", maximumFractionDigits: 0 });
  return (amount: number) => format.format(amount);
}

function Ballot({ budget }: { budget: Budget }) {
  const { t, formatNumber, formatDate } = useI18n();
  const money = useMoney(budget.currency);
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<Set<string>>(new Set(budget.my_ballot?.project_ids ?? []));
  const [errors, setErrors] = useState<FormError[]>([]);
  const [tried, setTried] = useState(false);
  const projects = budget.projects.filter((project) => project.status === "accepted");
  const state = ballotState(budget, projects, chosen);
  const knapsack = budget.voting_style === "knapsack";
  const cast = useMutation({
    mutationFn: async (ids: string[]) =>
      unwrap(await api.PUT("/api/v1/budgets/{budget_id}/ballot", { params: { path: { budget_id: budget.id } }, body: { project_ids: ids } })),
    onSuccess: () => {
      setErrors([]);
      queryClient.invalidateQueries({ queryKey: ["budget", budget.id] });
    },
    onError: (error) =>
      setErrors([{ message: error instanceof ApiProblem && error.problem.message ? error.problem.message : t("form.failed") }]),
  });
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
    cast.reset();
  };
  const refusal = !state.allowed && tried
    ? state.count === 0
      ? t("budget.chooseOne")
      : knapsack
        ? t("budget.overCap", { amount: money(state.over) })
        : t("budget.overMax", { count: formatNumber(state.over) })
    : null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!state.allowed) return;
    cast.mutate([...chosen]);
  };
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="ballot-title">
      <h2 id="ballot-title">{t("budget.ballot")}</h2>
      <ErrorSummary errors={refusal ? [{ field: "ballot-projects", message: refusal }, ...errors] : errors} />
      <fieldset id="ballot-projects" tabIndex={-1} className="field">
        <legend>{knapsack ? t("budget.knapsackHint", { cap: money(budget.cap) }) : t("budget.approvalHint", { max: formatNumber(budget.max_projects ?? 0) })}</legend>
        {projects.map((project) => (
          <div className="radio" key={project.id}>
            <input type="checkbox" id={`project-${project.id}`} checked={chosen.has(project.id)} onChange={(event) => toggle(project.id, event.target.checked)} />
            <label htmlFor={`project-${project.id}`}>
              {project.title} · {money(project.cost)}
            </label>
          </div>
        ))}
      </fieldset>
      <p className={state.over ? "tally tally--over" : "tally"} role="status" aria-live="polite">
        {knapsack
          ? t("budget.sum", { sum: money(state.total), cap: money(budget.cap) })
          : t("budget.count", { count: formatNumber(state.count), max: formatNumber(budget.max_projects ?? 0) })}
        {state.over > 0 && (
          <> — {knapsack ? t("budget.overCap", { amount: money(state.over) }) : t("budget.overMax", { count: formatNumber(state.over) })}</>
        )}
      </p>
      <div className="actions">
        <button type="submit" disabled={cast.isPending}>{t("budget.cast")}</button>
      </div>
      {cast.isSuccess && <p className="notice" role="status">{t("budget.cast.done")}</p>}
      {budget.my_ballot && (
        <p className="meta">{t("budget.myBallot", { date: formatDate(budget.my_ballot.updated_at), count: formatNumber(budget.my_ballot.project_ids.length) })}</p>
      )}
    </form>
  );
}

function Results({ budget }: { budget: Budget }) {
  const { t, formatNumber } = useI18n();
  const money = useMoney(budget.currency);
  const results = useQuery({
    queryKey: ["budget-results", budget.id],
    queryFn: async () => unwrap(await api.GET("/api/v1/budgets/{budget_id}/results", { params: { path: { budget_id: budget.id } } })) as { projects: ResultRow[] },
  });
  if (!results.isSuccess) return null;
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">{t("budget.results")}</h2>
      <table>
        <thead>
          <tr><th scope="col">{t("budget.rank")}</th><th scope="col">{t("budget.project")}</th><th scope="col">{t("budget.votes")}</th><th scope="col">{t("budget.funded")}</th></tr>
        </thead>
        <tbody>
          {results.data.projects.map((row) => (
            <tr key={row.id}>
              <td>{formatNumber(row.rank)}</td>
              <td>{row.title} · {money(row.cost)}</td>
              <td>{formatNumber(row.votes)}</td>
              <td>{row.funded ? t("budget.yes") : t("budget.no")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Downloads the public log page by page, then recomputes it here against the published heads:
 * trusting neither the server's own verdict nor its copy. */
async function downloadAndVerify(budgetId: string): Promise<{ entries: LogEntry[]; result: Verification }> {
  const entries: LogEntry[] = [];
  let after = 0;
  for (;;) {
    const page = unwrap(await api.GET("/api/v1/budgets/{budget_id}/log", {
      params: { path: { budget_id: budgetId }, query: { after_seq: after, limit: 1000 } },
    })) as { items: LogEntry[]; next_after_seq?: number | null };
    entries.push(...page.items);
    if (!page.next_after_seq) break;
    after = page.next_after_seq;
  }
  const heads = unwrap(await api.GET("/api/v1/budgets/{budget_id}/log/head", { params: { path: { budget_id: budgetId } } })) as {
    head?: LogHead; published?: LogHead[];
  };
  const published = [...(heads.published ?? []), ...(heads.head && heads.head.entries <= entries.length ? [heads.head] : [])];
  return { entries, result: await verifyLog(entries, published) };
}

function LogVerification({ budgetId }: { budgetId: string }) {
  const { t, formatNumber } = useI18n();
  const [download, setDownload] = useState<string | null>(null);
  const verify = useMutation({ mutationFn: () => downloadAndVerify(budgetId) });
  useEffect(() => {
    if (!verify.data) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(verify.data.entries, null, 1)], { type: "application/json" }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [verify.data]);
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">{t("budget.log")}</h2>
      <p className="hint">{t("budget.logHint")}</p>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>{t("budget.verify")}</button>
      </div>
      <div role="status">
        {verify.isError && <p>{t("form.unavailable")}</p>}
        {verify.data && (
          <p className={verify.data.result.valid ? "notice" : "error-message"}>
            {verify.data.result.valid
              ? t("budget.verified", { count: formatNumber(verify.data.result.entries) })
              : t("budget.notVerified", { problems: verify.data.result.problems.slice(0, 3).join("; ") })}
          </p>
        )}
      </div>
      {download && (
        <p><a href={download} download={`budget-${budgetId}-log.json`}>{t("budget.download")}</a></p>
      )}
    </section>
  );
}

export default function BudgetPage() {
  const { budgetId = "" } = useParams();
  const { t } = useI18n();
  const budget = useQuery({
    queryKey: ["budget", budgetId],
    queryFn: async () => unwrap(await api.GET("/api/v1/budgets/{budget_id}", { params: { path: { budget_id: budgetId } } })) as unknown as Budget,
  });
  const money = useMoney(budget.data?.currency ?? "EUR");
  if (budget.isPending) return <p role="status">{t("app.loading")}</p>;
  if (budget.isError) return <p role="alert">{t("budget.notFound")}</p>;
  const data = budget.data;
  return (
    <div className="panel">
      <p><Link to="/participate">{t("participation.back")}</Link></p>
      <h1>{data.title}</h1>
      {data.description && <p className="lead">{data.description}</p>}
      <p className="meta">{t("budget.phase", { phase: t(`budget.phase.${data.phase}` as "budget.phase.voting") })} · {t("budget.cap", { cap: money(data.cap) })}</p>
      {data.phase === "voting" ? (
        <Ballot budget={data} />
      ) : (
        <section aria-labelledby="projects-title">
          <h2 id="projects-title">{t("budget.projects")}</h2>
          {data.projects.length === 0 && <p>{t("budget.noProjects")}</p>}
          <ul className="members">
            {data.projects.map((project) => (
              <li key={project.id}><strong>{project.title}</strong> · {money(project.cost)}</li>
            ))}
          </ul>
        </section>
      )}
      {data.phase === "results" && <Results budget={data} />}
      <LogVerification budgetId={data.id} />
    </div>
  );
}
