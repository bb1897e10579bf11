import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { TextArea } from "../../components/Field";
import { useSession } from "../../app/Session";
import { useI18n } from "../../i18n/I18n";
import { categoryLabel } from "./PostCard";
import { PostOwner } from "./PostOwner";
import type { Comment, Post, Translation } from "./types";

const REASONS = ["spam_commercial", "offensive", "off_topic", "other"] as const;

function Thanks({ post }: { post: Post }) {
  const { t, formatNumber } = useI18n();
  const queryClient = useQueryClient();
  const key = ["post", post.id];
  const thanked = (post.my_reactions ?? []).includes("thanks");
  // Optimistic: the count moves on the tap; the server's answer (or the old post) replaces it.
  const toggle = useMutation({
    mutationFn: async () => {
      const params = { params: { path: { post_id: post.id!, kind: "thanks" } } };
      return unwrap(thanked ? await api.DELETE("/api/v1/posts/{post_id}/reactions/{kind}", params)
        : await api.PUT("/api/v1/posts/{post_id}/reactions/{kind}", params));
    },
    onMutate: async () => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Post>(key);
      queryClient.setQueryData<Post>(key, {
        ...post,
        my_reactions: thanked ? [] : ["thanks"],
        reactions: { thanks: (post.reactions?.thanks ?? 0) + (thanked ? -1 : 1) },
      });
      return { before };
    },
    onError: (_error, _vars, context) => queryClient.setQueryData(key, context?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  return (
    <button type="button" className="secondary" aria-pressed={thanked} onClick={() => toggle.mutate()}>
      {t("post.thanks")} · {formatNumber(post.reactions?.thanks ?? 0)}
    </button>
  );
}

/** A comment in the reader's language on request; the original is one tap away. */
function CommentItem({ postId, comment }: { postId: string; comment: Comment }) {
  const { t, formatDate, language, languageName } = useI18n();
  const [translated, setTranslated] = useState<Translation | null>(null);
  const translate = useMutation({
    mutationFn: async () =>
      unwrap(await api.GET("/api/v1/posts/{post_id}/comments/{comment_id}/translation", {
        params: { path: { post_id: postId, comment_id: comment.id! }, query: { lang: language } },
      })),
    onSuccess: (answer) => setTranslated(answer as Translation),
  });
  return (
    <li>
      <p className="meta">
        {comment.author?.name} · <time dateTime={comment.created_at}>{formatDate(comment.created_at)}</time>
      </p>
      <p lang={translated ? translated.lang : undefined}>{translated ? translated.body : comment.body}</p>
      {translated && <p className="meta">{t("post.translated", { language: languageName(translated.source) })}</p>}
      {translated ? (
        <button type="button" className="link-button" onClick={() => setTranslated(null)}>
          {t("post.showOriginal")}<span className="visually-hidden">: {comment.author?.name}</span>
        </button>
      ) : (
        <button type="button" className="link-button" disabled={translate.isPending} onClick={() => translate.mutate()}>
          {t("post.translate")}<span className="visually-hidden">: {comment.author?.name}</span>
        </button>
      )}
      {translate.isError && <p role="alert" className="error-message">{t("post.translationUnavailable")}</p>}
    </li>
  );
}

function Comments({ postId }: { postId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const comments = useQuery({
    queryKey: ["post", postId, "comments"],
    // Opening a post shows what neighbours wrote since, not the cached list.
    staleTime: 0,
    queryFn: async () => unwrap(await api.GET("/api/v1/posts/{post_id}/comments", { params: { path: { post_id: postId }, query: { limit: 100 } } })),
  });
  const send = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/posts/{post_id}/comments", {
        params: { path: { post_id: postId } },
        headers: { "Idempotency-Key": crypto.randomUUID() },
        body: { body: text.trim() },
      })),
    onSuccess: () => {
      setText("");
      setError(undefined);
      queryClient.invalidateQueries({ queryKey: ["post", postId] });
    },
    onError: (e) => setError(e instanceof ApiProblem ? e.problem.message : t("form.failed")),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!text.trim()) return setError(t("form.required", { field: t("post.comment").toLowerCase() }));
    send.mutate();
  }
  const items = comments.data?.items ?? [];
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">{t("post.commentsTitle")}</h2>
      {comments.isSuccess && items.length === 0 && <p>{t("post.noComments")}</p>}
      <ul className="comments">
        {items.map((comment) => (
          <CommentItem key={comment.id} postId={postId} comment={comment} />
        ))}
      </ul>
      <form onSubmit={submit} noValidate>
        <TextArea id="comment" label={t("post.comment")} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} rows={3} error={error} />
        <button type="submit" disabled={send.isPending}>{t("post.send")}</button>
      </form>
    </section>
  );
}

function Report({ postId }: { postId: string }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<(typeof REASONS)[number]>("spam_commercial");
  const report = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/posts/{post_id}/reports", {
        params: { path: { post_id: postId } }, headers: { "Idempotency-Key": crypto.randomUUID() }, body: { reason },
      })),
  });
  const done = report.isSuccess || (report.error instanceof ApiProblem && report.error.problem.status === 409);
  return (
    <details className="report">
      <summary>{t("post.report")}</summary>
      {done ? (
        <p role="status">{report.isSuccess ? t("post.reported") : t("post.alreadyReported")}</p>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); report.mutate(); }}>
          <fieldset>
            <legend>{t("post.reportReason")}</legend>
            {REASONS.map((name) => (
              <div className="radio" key={name}>
                <input type="radio" id={`reason-${name}`} name="reason" value={name} checked={reason === name} onChange={() => setReason(name)} />
                <label htmlFor={`reason-${name}`}>{t(`post.reason.${name}`)}</label>
              </div>
            ))}
          </fieldset>
          {report.isError && <p role="alert" className="error-message">{t("form.failed")}</p>}
          <button type="submit" className="warning" disabled={report.isPending}>{t("post.reportSend")}</button>
        </form>
      )}
    </details>
  );
}

export default function PostPage() {
  const { postId = "" } = useParams();
  const { t, formatDate, languageName, language } = useI18n();
  const session = useSession();
  const [translated, setTranslated] = useState<Translation | null>(null);
  const post = useQuery({
    queryKey: ["post", postId],
    staleTime: 0,
    queryFn: async () => unwrap(await api.GET("/api/v1/posts/{post_id}", { params: { path: { post_id: postId } } })),
  });
  const translate = useMutation({
    mutationFn: async () =>
      unwrap(await api.GET("/api/v1/posts/{post_id}/translation", { params: { path: { post_id: postId }, query: { lang: language } } })),
    onSuccess: setTranslated,
  });
  if (post.isPending) return <p role="status">{t("app.loading")}</p>;
  if (post.isError) return <div className="panel"><h1>{t("app.notFound.title")}</h1><Link to="/feed">{t("post.back")}</Link></div>;
  const data = post.data;
  const title = translated ? translated.title : data.title;
  const body = translated ? translated.body : data.body;
  const mine = Boolean(data.author?.id) && data.author?.id === session.user?.id;
  // The feed tells the author alone that an edit waits for a moderator (not in the declared schema).
  const pending = (data as { moderation?: string }).moderation === "pending";
  return (
    <div className="panel">
      <Link to="/feed">{t("post.back")}</Link>
      <article aria-labelledby="post-title">
        <p className="chip">{categoryLabel(t, data.category)}</p>
        {data.solved && <p className="chip">{t("postOwner.solved")}</p>}
        <h1 id="post-title" lang={translated ? translated.lang : data.language ?? undefined}>{title}</h1>
        <p className="meta">
          {t("post.by", { name: data.author?.name ?? "" })} · <time dateTime={data.published_at ?? data.created_at}>{formatDate(data.published_at ?? data.created_at)}</time>
        </p>
        <p className="post-body" lang={translated ? translated.lang : data.language ?? undefined}>{body}</p>
        {data.place && <p>{t("newPost.place")}: {data.place}</p>}
        {data.starts_at && <p>{t("newPost.startsAt")}: {formatDate(data.starts_at)}</p>}
        {pending && <p className="notice">{t("postEdit.pending")}</p>}
        {translated && <p className="meta">{t("post.translated", { language: languageName(translated.source) })}</p>}
        <div className="actions">
          <Thanks post={data} />
          {translated ? (
            <button type="button" className="secondary" onClick={() => setTranslated(null)}>{t("post.showOriginal")}</button>
          ) : (
            <button type="button" className="secondary" onClick={() => translate.mutate()} disabled={translate.isPending}>{t("post.translate")}</button>
          )}
        </div>
        {translate.isError && <p role="alert" className="error-message">{t("post.translationUnavailable")}</p>}
        <Report postId={postId} />
      </article>
      {mine && <PostOwner post={data} />}
      <Comments postId={postId} />
    </div>
  );
}
