import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import "./participation.css";
import { localised } from "./surveyRules";

type SurveyItem = { id: string; title: string; translations?: Record<string, string>; status: string; responded?: boolean; closes_at?: string };
type BudgetItem = { id: string; title: string; phase: string };
type Initiative = { id: string; title: string; text: string; status: string; supports: number; threshold?: number; mine?: boolean; supported?: boolean };

function Surveys() {
  const { t, language, formatDate } = useI18n();
  const surveys = useQuery({
    queryKey: ["surveys"],
    queryFn: async () => (unwrap(await api.GET("/api/v1/surveys", { params: { query: { limit: 50 } } })).items ?? []) as unknown as SurveyItem[],
  });
  const open = (surveys.data ?? []).filter((survey) => survey.status === "open");
  return (
    <section aria-labelledby="surveys-title">
      <h2 id="surveys-title">{t("participation.surveys")}</h2>
      {surveys.isSuccess && open.length === 0 && <p>{t("participation.noSurveys")}</p>}
      <ul className="members">
        {open.map((survey) => (
          <li key={survey.id}>
            <Link to={`/surveys/${survey.id}`}>{localised(survey.title, survey.translations, language)}</Link>
            {" · "}
            {survey.responded ? t("participation.answered") : t("survey.closes", { date: formatDate(survey.closes_at) })}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Budgets() {
  const { t } = useI18n();
  const budgets = useQuery({
    queryKey: ["budgets"],
    queryFn: async () => (unwrap(await api.GET("/api/v1/budgets", { params: { query: { limit: 50 } } })).items ?? []) as unknown as BudgetItem[],
  });
  return (
    <section aria-labelledby="budgets-title">
      <h2 id="budgets-title">{t("participation.budgets")}</h2>
      {budgets.isSuccess && budgets.data.length === 0 && <p>{t("participation.noBudgets")}</p>}
      <ul className="members">
        {(budgets.data ?? []).map((budget) => (
          <li key={budget.id}>
            <Link to={`/budgets/${budget.id}`}>{budget.title}</Link> · {t(`budget.phase.${budget.phase}` as "budget.phase.voting")}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Initiatives() {
  const { t, formatNumber } = useI18n();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ title: "", text: "" });
  const [errors, setErrors] = useState<FormError[]>([]);
  const initiatives = useQuery({
    queryKey: ["initiatives"],
    queryFn: async () => (unwrap(await api.GET("/api/v1/initiatives", { params: { query: { limit: 50 } } })).items ?? []) as unknown as Initiative[],
  });
  const propose = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/initiatives", { body: { title: draft.title.trim(), text: draft.text.trim() } })),
    onSuccess: () => {
      setDraft({ title: "", text: "" });
      setErrors([]);
      queryClient.invalidateQueries({ queryKey: ["initiatives"] });
    },
    onError: (error) => setErrors(formErrorsOf(error, { title: "initiative-title", text: "initiative-text" }, t("form.failed"))),
  });
  // The listing does not say which ones the reader supports: a support given here (or refused
  // as already given) is remembered for this visit.
  const [supportedHere, setSupportedHere] = useState<ReadonlySet<string>>(new Set());
  const support = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST("/api/v1/initiatives/{initiative_id}/supports", { params: { path: { initiative_id: id } } })),
    onSuccess: (_, id) => setSupportedHere((known) => new Set(known).add(id)),
    onError: (error, id) => {
      if (error instanceof ApiProblem && error.problem.status === 409) setSupportedHere((known) => new Set(known).add(id));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["initiatives"] }),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const missing: FormError[] = [];
    if (!draft.title.trim()) missing.push({ field: "initiative-title", message: t("form.required", { field: t("initiative.title").toLowerCase() }) });
    if (!draft.text.trim()) missing.push({ field: "initiative-text", message: t("form.required", { field: t("initiative.text").toLowerCase() }) });
    setErrors(missing);
    if (!missing.length) propose.mutate();
  };
  return (
    <section aria-labelledby="initiatives-title">
      <h2 id="initiatives-title">{t("participation.initiatives")}</h2>
      {initiatives.isSuccess && initiatives.data.length === 0 && <p>{t("participation.noInitiatives")}</p>}
      <ul className="post-list">
        {(initiatives.data ?? []).map((initiative) => (
          <li key={initiative.id} className="card">
            <h3 className="card-title">{initiative.title}</h3>
            <p className="card-body">{initiative.text}</p>
            {initiative.threshold ? (
              <>
                <label htmlFor={`progress-${initiative.id}`} className="meta">
                  {t("initiative.progress", { supports: formatNumber(initiative.supports), threshold: formatNumber(initiative.threshold) })}
                </label>
                <progress id={`progress-${initiative.id}`} max={initiative.threshold} value={Math.min(initiative.supports, initiative.threshold)} />
              </>
            ) : (
              <p className="meta">{t("initiative.supports", { supports: formatNumber(initiative.supports) })}</p>
            )}
            {initiative.status !== "open" && <p className="meta">{t(`initiative.status.${initiative.status}` as "initiative.status.escalated")}</p>}
            {!initiative.mine && !initiative.supported && !supportedHere.has(initiative.id) && initiative.status === "open" && (
              <button type="button" className="secondary" disabled={support.isPending} onClick={() => support.mutate(initiative.id)}>
                {t("initiative.support", { title: initiative.title })}
              </button>
            )}
            {(initiative.supported || supportedHere.has(initiative.id)) && <p className="meta">{t("initiative.supported")}</p>}
          </li>
        ))}
      </ul>
      <form onSubmit={onSubmit} noValidate aria-labelledby="propose-title">
        <h3 id="propose-title">{t("initiative.propose")}</h3>
        <ErrorSummary errors={errors} />
        <TextField id="initiative-title" label={t("initiative.title")} value={draft.title} maxLength={200}
          error={errorFor(errors, "initiative-title")} onChange={(event) => setDraft({ ...draft, title: event.target.value })} />
        <TextArea id="initiative-text" label={t("initiative.text")} value={draft.text} maxLength={4000}
          error={errorFor(errors, "initiative-text")} onChange={(event) => setDraft({ ...draft, text: event.target.value })} />
        <div className="actions">
          <button type="submit" disabled={propose.isPending}>{t("initiative.submit")}</button>
        </div>
      </form>
    </section>
  );
}

export default function ParticipationPage() {
  const { t } = useI18n();
  return (
    <div className="panel">
      <h1>{t("participation.title")}</h1>
      <p className="lead">{t("participation.intro")}</p>
      <Surveys />
      <Budgets />
      <Initiatives />
    </div>
  );
}
