import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { postBody } from "./NewPost";
import type { Category, Post } from "./types";

const FIELDS = { title: "title", body: "body", kind: "kind", pet_status: "pet_status", animal: "animal", starts_at: "starts_at", place: "place" };

type Draft = Parameters<typeof postBody>[0];

/** An ISO instant as the reader's local "YYYY-MM-DDTHH:mm" for a datetime-local input. */
export function localDateTime(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function draftOf(post: Post): Draft {
  return {
    category: post.category as Category, title: post.title ?? "", body: post.body ?? "", kind: post.kind ?? "give",
    pet_status: post.pet_status ?? "lost", animal: post.animal ?? "", starts_at: localDateTime(post.starts_at), place: post.place ?? "",
  };
}

/** The PATCH body: the post's own fields (its category and audience stay as they are). */
export function changesOf(draft: Draft) {
  const { category: _category, ...changes } = postBody(draft);
  return changes;
}

function EditForm({ post }: { post: Post }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(post));
  const [errors, setErrors] = useState<FormError[]>([]);
  const set = (field: keyof Draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value });

  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PATCH("/api/v1/posts/{post_id}", { params: { path: { post_id: post.id! } }, body: changesOf(draft) })),
    onSuccess: async (saved) => {
      queryClient.setQueryData(["post", post.id], saved);
      await queryClient.invalidateQueries({ queryKey: ["feed"] });
      navigate(`/posts/${post.id}`);
    },
    onError: (error) => {
      // Moderation's refusal names its reasons, not a field: say it at the top, keep the draft.
      const refused = error instanceof ApiProblem && error.problem.code === "unprocessable" && !Object.keys(error.problem.fields).some((f) => f in FIELDS);
      setErrors(refused
        ? [{ message: t("postEdit.refused", { reason: (error as ApiProblem).problem.message }) }]
        : formErrorsOf(error, FIELDS, t("form.failed"), { unavailable: t("form.unavailable") }));
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
    if (!missing.length) save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} />
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
      <div className="actions">
        <button type="submit" disabled={save.isPending}>{t("postEdit.save")}</button>
        <Link to={`/posts/${post.id}`}>{t("postEdit.cancel")}</Link>
      </div>
    </form>
  );
}

export default function EditPost() {
  const { postId = "" } = useParams();
  const { t } = useI18n();
  const post = useQuery({
    queryKey: ["post", postId],
    queryFn: async () => unwrap(await api.GET("/api/v1/posts/{post_id}", { params: { path: { post_id: postId } } })),
  });
  if (post.isPending) return <p role="status">{t("app.loading")}</p>;
  if (post.isError) return <div className="panel"><h1>{t("app.notFound.title")}</h1><Link to="/feed">{t("post.back")}</Link></div>;
  return (
    <div className="panel">
      <h1>{t("postEdit.title")}</h1>
      <EditForm post={post.data} />
    </div>
  );
}
