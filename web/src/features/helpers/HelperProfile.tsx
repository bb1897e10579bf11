import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { LANGUAGES, NATIVE_NAMES } from "../../i18n/languages";
import { groupedSkills } from "./skills";
import { useHelperProfile, useSkillCatalogue } from "./useHelperProfile";

const SLOTS = ["weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekends"] as const;
type Slot = (typeof SLOTS)[number];
type Category = "lessons" | "care" | "errands" | "home" | "repairs" | "garden" | "admin" | "digital" | "leisure" | "community";
// API field → the control its error sits beside.
const FIELDS = { skills: "skill-filter", free_text: "free_text", languages: "languages", availability_note: "availability_note" };

type Draft = { skills: string[]; free_text: string; languages: string[]; availability: Slot[]; availability_note: string; volunteer: boolean };
const EMPTY: Draft = { skills: [], free_text: "", languages: [], availability: [], availability_note: "", volunteer: false };

function toggle<T>(list: T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

export default function HelperProfile() {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const profile = useHelperProfile(language);
  const catalogue = useSkillCatalogue(language);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [filter, setFilter] = useState("");
  const [errors, setErrors] = useState<FormError[]>([]);
  const [done, setDone] = useState<"saved" | "removed" | null>(null);

  // The saved profile fills the form once it arrives.
  useEffect(() => {
    if (!profile.data) return;
    const saved = profile.data;
    setDraft({
      skills: saved.skills ?? [], free_text: saved.free_text ?? "", languages: saved.languages ?? [],
      availability: (saved.availability ?? []) as Slot[], availability_note: saved.availability_note ?? "",
      volunteer: Boolean(saved.volunteer),
    });
  }, [profile.data]);

  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ["helper-profile"] });
    queryClient.invalidateQueries({ queryKey: ["helpers"] });
  };
  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT("/api/v1/me/helper-profile", {
        body: { ...draft, free_text: draft.free_text.trim(), availability_note: draft.availability_note.trim() },
      })),
    onSuccess: () => { setDone("saved"); refresh(); },
    onError: (error) => setErrors(formErrorsOf(error, FIELDS, t("form.failed"), { unavailable: t("form.unavailable") })),
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/me/helper-profile")),
    onSuccess: () => { setDraft(EMPTY); setDone("removed"); refresh(); },
    onError: (error) => setErrors(formErrorsOf(error, {}, t("form.failed"), { unavailable: t("form.unavailable") })),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const missing: FormError[] = draft.skills.length ? [] : [{ field: "skill-filter", message: t("helpers.skills.required") }];
    setErrors(missing);
    if (!missing.length) save.mutate();
  }

  const groups = groupedSkills(catalogue.data?.map((s) => ({ id: s.id!, category: s.category!, label: s.label! })) ?? [], filter);
  return (
    <div className="panel">
      <p><Link to="/helpers">{t("helpers.title")}</Link></p>
      <h1>{t("helpers.profile.title")}</h1>
      <p className="hint">{t("helpers.profile.intro")}</p>
      {done && <p className="notice" role="status">{t(done === "saved" ? "helpers.saved" : "helpers.removed")}</p>}
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <fieldset aria-describedby="skills-hint">
          <legend>{t("helpers.skills")}</legend>
          <p className="hint" id="skills-hint">
            {t("helpers.skills.hint")} {t("helpers.skills.chosen", { count: draft.skills.length })}
          </p>
          <TextField id="skill-filter" type="search" label={t("helpers.skills.filter")} value={filter}
            onChange={(event) => setFilter(event.target.value)} error={errorFor(errors, "skill-filter")} />
          {catalogue.isSuccess && groups.length === 0 && <p role="status">{t("helpers.skills.none")}</p>}
          <div className="skill-groups">
            {groups.map(([category, skills]) => (
              <fieldset key={category}>
                <legend>{t(`helpers.category.${category as Category}`)}</legend>
                {skills.map((skill) => (
                  <label key={skill.id} className="radio">
                    <input type="checkbox" checked={draft.skills.includes(skill.id)}
                      onChange={() => setDraft({ ...draft, skills: toggle(draft.skills, skill.id) })} />
                    {skill.label}
                  </label>
                ))}
              </fieldset>
            ))}
          </div>
        </fieldset>
        <TextArea id="free_text" label={t("helpers.freeText")} value={draft.free_text} maxLength={1000} rows={3}
          onChange={(event) => setDraft({ ...draft, free_text: event.target.value })} error={errorFor(errors, "free_text")} />
        <fieldset id="languages">
          <legend>{t("helpers.languages")}</legend>
          {LANGUAGES.map((code) => (
            <label key={code} className="radio" lang={code}>
              <input type="checkbox" checked={draft.languages.includes(code)}
                onChange={() => setDraft({ ...draft, languages: toggle(draft.languages, code) })} />
              {NATIVE_NAMES[code]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("helpers.availability")}</legend>
          {SLOTS.map((slot) => (
            <label key={slot} className="radio">
              <input type="checkbox" checked={draft.availability.includes(slot)}
                onChange={() => setDraft({ ...draft, availability: toggle(draft.availability, slot) })} />
              {t(`helpers.slot.${slot}`)}
            </label>
          ))}
        </fieldset>
        <TextField id="availability_note" label={t("helpers.availabilityNote")} value={draft.availability_note} maxLength={200}
          onChange={(event) => setDraft({ ...draft, availability_note: event.target.value })} error={errorFor(errors, "availability_note")} />
        <label className="radio">
          <input type="checkbox" checked={draft.volunteer} onChange={() => setDraft({ ...draft, volunteer: !draft.volunteer })} />
          {t("helpers.volunteer")}
        </label>
        <div className="actions">
          <button type="submit" disabled={save.isPending}>{t("helpers.save")}</button>
          {profile.data && (
            <button type="button" className="warning" disabled={remove.isPending} onClick={() => { setDone(null); remove.mutate(); }}>
              {t("helpers.remove")}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
