import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { categoryLabel } from "./PostCard";
import { CATEGORIES, type Category, type NewPostBody } from "./types";

const FIELDS = {
  category: "category", title: "title", body: "body", kind: "kind", pet_status: "pet_status",
  animal: "animal", starts_at: "starts_at", place: "place",
};

type Draft = { category: Category; title: string; body: string; kind: string; pet_status: string; animal: string; starts_at: string; place: string };

/** The API's body for the draft: only the chosen type's own fields. */
export function postBody(draft: Draft): NewPostBody {
  const body: NewPostBody = { category: draft.category, title: draft.title.trim(), body: draft.body.trim() };
  if (draft.category === "classified") body.kind = draft.kind as NewPostBody["kind"];
  if (draft.category === "pet") {
    body.pet_status = draft.pet_status as NewPostBody["pet_status"];
    if (draft.animal.trim()) body.animal = draft.animal.trim();
  }
  if (draft.category === "event") {
    // datetime-local has no zone: send the reader's local time as an instant.
    if (draft.starts_at) body.starts_at = new Date(draft.starts_at).toISOString();
    if (draft.place.trim()) body.place = draft.place.trim();
  }
  return body;
}

export default function NewPost() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>({
    category: "message", title: "", body: "", kind: "give", pet_status: "lost", animal: "", starts_at: "", place: "",
  });
  const [errors, setErrors] = useState<FormError[]>([]);
  const set = (field: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [field]: event.target.value });

  const publish = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/posts", {
          // A retried submission (a slow network) must not publish twice.
          headers: { "Idempotency-Key": crypto.randomUUID() },
          body: postBody(draft),
        }),
      ),
    onSuccess: async (post) => {
      await queryClient.invalidateQueries({ queryKey: ["feed"] });
      navigate(`/posts/${post.id}`);
    },
    onError: (error) => {
      const refused = error instanceof ApiProblem && error.problem.code === "unprocessable" && !Object.keys(error.problem.fields).some((f) => f in FIELDS);
      setErrors(
        refused
          ? [{ message: t("newPost.refused", { reason: (error as ApiProblem).problem.message }) }]
          : formErrorsOf(error, FIELDS, t("form.failed"), { unavailable: t("form.unavailable") }),
      );
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: FormError[] = [];
    if (!draft.title.trim()) missing.push({ field: "title", message: t("form.required", { field: t("newPost.postTitle").toLowerCase() }) });
    if (!draft.body.trim()) missing.push({ field: "body", message: t("form.required", { field: t("newPost.body").toLowerCase() }) });
    if (draft.category === "event" && !draft.starts_at)
      missing.push({ field: "starts_at", message: t("form.required", { field: t("newPost.startsAt").toLowerCase() }) });
    setErrors(missing);
    if (!missing.length) publish.mutate();
  }

  return (
    <div className="panel">
      <h1>{t("newPost.title")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <SelectField id="category" label={t("newPost.category")} value={draft.category} onChange={set("category")}
          options={CATEGORIES.map((c) => [c, categoryLabel(t, c)])} />
        {draft.category === "classified" && (
          <SelectField id="kind" label={t("newPost.kind")} value={draft.kind} onChange={set("kind")} error={errorFor(errors, "kind")}
            options={(["give", "lend", "borrow", "sell"] as const).map((k) => [k, t(`newPost.kind.${k}`)])} />
        )}
        {draft.category === "pet" && (
          <>
            <SelectField id="pet_status" label={t("newPost.petStatus")} value={draft.pet_status} onChange={set("pet_status")}
              options={(["lost", "found"] as const).map((k) => [k, t(`newPost.pet.${k}`)])} />
            <TextField id="animal" label={t("newPost.animal")} value={draft.animal} onChange={set("animal")} maxLength={40}
              error={errorFor(errors, "animal")} />
          </>
        )}
        <TextField id="title" label={t("newPost.postTitle")} value={draft.title} onChange={set("title")} maxLength={120}
          error={errorFor(errors, "title")} />
        <TextArea id="body" label={t("newPost.body")} value={draft.body} onChange={set("body")} maxLength={5000}
          error={errorFor(errors, "body")} />
        {draft.category === "event" && (
          <>
            <TextField id="starts_at" type="datetime-local" label={t("newPost.startsAt")} value={draft.starts_at}
              onChange={set("starts_at")} error={errorFor(errors, "starts_at")} />
            <TextField id="place" label={t("newPost.place")} value={draft.place} onChange={set("place")} maxLength={200}
              error={errorFor(errors, "place")} />
          </>
        )}
        <button type="submit" disabled={publish.isPending}>
          {t("newPost.submit")}
        </button>
      </form>
    </div>
  );
}
