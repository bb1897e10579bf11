import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { useNeighbourhoods } from "../neighbours/useNeighbourhoods";
import { eventBody, fieldOfReason, type EventDraft, type Reason } from "./eventBody";

const FIELDS = { title: "title", starts_at: "starts_at", ends_at: "ends_at", place: "place", description: "description", small_fee: "small_fee" };
const REASON_RULES = ["price_with_sales_words", "fee_above_small_fee", "fee_without_small_fee_flag"] as const;

export default function NewEvent() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const home = useNeighbourhoods().data?.find((n) => n.home);
  const [draft, setDraft] = useState<EventDraft>({ title: "", starts_at: "", ends_at: "", place: "", description: "", small_fee: false });
  const [errors, setErrors] = useState<FormError[]>([]);
  const set = (field: keyof EventDraft) => (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value });

  /** The commercial refusal's reasons, each in the reader's language beside its field. */
  function reasonsOf(reasons: Reason[]): FormError[] {
    return reasons.map((reason) => {
      const matched = (reason.matched ?? []).join(", ");
      const known = REASON_RULES.find((rule) => rule === reason.rule);
      return {
        field: fieldOfReason(reason.rule),
        message: known ? t(`calendar.reason.${known}`, { matched }) : t("calendar.reason.other", { message: reason.message ?? "" }),
      };
    });
  }

  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/neighbourhoods/{neighbourhood_id}/events", {
        // A retried submission (a slow network) must not add the event twice.
        headers: { "Idempotency-Key": crypto.randomUUID() },
        params: { path: { neighbourhood_id: home!.id! } },
        body: eventBody(draft),
      })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["events"] });
      navigate("/calendar");
    },
    onError: (error) => {
      const reasons = error instanceof ApiProblem ? error.problem.details?.reasons : undefined;
      setErrors(Array.isArray(reasons) && reasons.length
        ? reasonsOf(reasons as Reason[])
        : formErrorsOf(error, FIELDS, t("form.failed"), {
          unavailable: t("form.unavailable"), conflict: t("calendar.tooMany"), forbidden: t("calendar.followedOnly"),
        }));
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: FormError[] = [];
    const required = (field: keyof EventDraft, label: string) => {
      if (!String(draft[field]).trim()) missing.push({ field, message: t("form.required", { field: label.toLowerCase() }) });
    };
    required("title", t("calendar.field.title"));
    required("starts_at", t("calendar.field.startsAt"));
    required("ends_at", t("calendar.field.endsAt"));
    required("place", t("calendar.field.place"));
    if (draft.starts_at && draft.ends_at && Date.parse(draft.ends_at) <= Date.parse(draft.starts_at)) {
      missing.push({ field: "ends_at", message: t("calendar.endBeforeStart") });
    }
    setErrors(missing);
    if (!missing.length && home) create.mutate();
  }

  const feeError = errors.filter((error) => error.field === "small_fee").map((error) => error.message);
  const descriptionErrors = errors.filter((error) => error.field === "description").map((error) => error.message).join(" ");
  return (
    <div className="panel">
      <p><Link to="/calendar">{t("calendar.title")}</Link></p>
      <h1>{t("calendar.form.title")}</h1>
      <p className="hint">{t("calendar.form.intro")}</p>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <TextField id="title" label={t("calendar.field.title")} value={draft.title} onChange={set("title")} maxLength={120}
          error={errorFor(errors, "title")} />
        <TextField id="starts_at" type="datetime-local" label={t("calendar.field.startsAt")} value={draft.starts_at}
          onChange={set("starts_at")} error={errorFor(errors, "starts_at")} />
        <TextField id="ends_at" type="datetime-local" label={t("calendar.field.endsAt")} hint={t("calendar.field.endsAt.hint")}
          value={draft.ends_at} onChange={set("ends_at")} error={errorFor(errors, "ends_at")} />
        <TextField id="place" label={t("calendar.field.place")} hint={t("calendar.field.place.hint")} value={draft.place}
          onChange={set("place")} maxLength={200} error={errorFor(errors, "place")} />
        <TextArea id="description" label={t("calendar.field.description")} value={draft.description} onChange={set("description")}
          maxLength={4000} error={descriptionErrors || undefined} />
        <div className={feeError.length ? "field field--error" : "field"}>
          {feeError.map((message) => (
            <p key={message} className="error-message" id="small_fee-error">{message}</p>
          ))}
          <label className="radio">
            <input id="small_fee" type="checkbox" checked={draft.small_fee} aria-invalid={feeError.length ? true : undefined}
              aria-describedby={feeError.length ? "small_fee-error" : undefined}
              onChange={() => setDraft({ ...draft, small_fee: !draft.small_fee })} />
            {t("calendar.field.smallFee")}
          </label>
        </div>
        <button type="submit" disabled={create.isPending || !home}>{t("calendar.submit")}</button>
      </form>
    </div>
  );
}
