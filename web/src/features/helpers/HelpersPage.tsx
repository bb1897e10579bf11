import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { TextField } from "../../components/Field";
import { useI18n } from "../../i18n/I18n";
import { skillLanguage, useHelperProfile } from "./useHelperProfile";

type Slot = "weekday_mornings" | "weekday_afternoons" | "weekday_evenings" | "weekends";

function Search() {
  const { t, language, languageName } = useI18n();
  // The query sits in the URL, so a search can be shared and survives a reload.
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const results = useQuery({
    queryKey: ["helpers", q, language],
    enabled: q.trim() !== "",
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/helpers", { params: { query: { q, limit: 50, labels: skillLanguage(language) } } })).items ?? [],
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    // The same words again ask again: a neighbour may have just offered that help.
    if (draft.trim() === q) results.refetch();
    else setParams(draft.trim() ? { q: draft.trim() } : {});
  }
  return (
    <section aria-labelledby="helper-search-title">
      <h2 id="helper-search-title">{t("helpers.search")}</h2>
      <form role="search" onSubmit={submit}>
        <TextField id="helper-query" type="search" label={t("helpers.search")} hint={t("helpers.search.hint")}
          value={draft} onChange={(event) => setDraft(event.target.value)} maxLength={200} />
        <button type="submit">{t("helpers.search.submit")}</button>
      </form>
      {results.isError && <p role="alert">{t("form.unavailable")}</p>}
      {results.isSuccess && (
        <section aria-labelledby="helper-results-title">
          <h3 id="helper-results-title">{t("helpers.results")}</h3>
          {results.data.length === 0 && <p role="status">{t("helpers.noResults")}</p>}
          <ul className="post-list">
            {results.data.map((helper) => (
              <li key={helper.user_id} className="card">
                <h4 className="card-title">{helper.first_name}</h4>
                <p>{(helper.skill_labels ?? []).join(", ")}</p>
                {helper.free_text && <p className="card-body">{helper.free_text}</p>}
                {(helper.languages ?? []).length > 0 && (
                  <p className="meta">{t("helpers.speaks", { languages: helper.languages!.map(languageName).join(", ") })}</p>
                )}
                {(helper.availability ?? []).length > 0 && (
                  <p className="meta">
                    {t("helpers.available", { slots: helper.availability!.map((slot) => t(`helpers.slot.${slot as Slot}`)).join(", ") })}
                  </p>
                )}
                {helper.volunteer && <p className="chip">{t("helpers.volunteerBadge")}</p>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function Callouts() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const callouts = useQuery({
    queryKey: ["my-callouts"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/callouts", { params: { query: { limit: 50 } } })).items ?? [],
  });
  const [full, setFull] = useState<string | null>(null);
  const answer = useMutation({
    mutationFn: async ({ id, answer }: { id: string; answer: "accepted" | "declined" }) =>
      unwrap(await api.PUT("/api/v1/me/callouts/{callout_id}/answer", { params: { path: { callout_id: id } }, body: { answer } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["my-callouts"] }),
    onError: (error, { id }) => setFull(error instanceof ApiProblem && error.problem.status === 409 ? id : null),
  });
  if (!callouts.data?.length) return null;
  return (
    <section aria-labelledby="callouts-title">
      <h2 id="callouts-title">{t("helpers.callouts")}</h2>
      <ul className="post-list">
        {callouts.data.map((callout) => (
          <li key={callout.callout_id} className="card">
            <h3 className="card-title">{t("helpers.callout.wanted", { skill: callout.skill_label ?? "", wanted: callout.wanted ?? 0 })}</h3>
            {callout.message && <p className="card-body">{callout.message}</p>}
            <p className="meta">{t(`helpers.callout.status.${callout.status ?? "pending"}`)}</p>
            {full === callout.callout_id && <p role="alert">{t("helpers.callout.full")}</p>}
            <div className="actions">
              {callout.status !== "accepted" && (
                <button type="button" disabled={answer.isPending}
                  onClick={() => answer.mutate({ id: callout.callout_id!, answer: "accepted" })}>
                  {t("helpers.callout.accept")}
                </button>
              )}
              {callout.status !== "declined" && (
                <button type="button" className="secondary" disabled={answer.isPending}
                  onClick={() => answer.mutate({ id: callout.callout_id!, answer: "declined" })}>
                  {t("helpers.callout.decline")}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function HelpersPage() {
  const { t, language } = useI18n();
  const profile = useHelperProfile(language);
  return (
    <div className="panel">
      <h1>{t("helpers.title")}</h1>
      <p className="lead">{t("helpers.intro")}</p>
      <section aria-labelledby="my-helper-title">
        <h2 id="my-helper-title">{t("helpers.yourProfile")}</h2>
        {profile.isSuccess && (
          <p>{profile.data ? t("helpers.offering", { skills: (profile.data.skill_labels ?? []).join(", ") }) : t("helpers.notOffering")}</p>
        )}
        <Link to="/helpers/profile" className="button">
          {profile.data ? t("helpers.editProfile") : t("helpers.offerHelp")}
        </Link>
      </section>
      <Callouts />
      <Search />
    </div>
  );
}
