import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useSession } from "../../app/Session";
import { useI18n } from "../../i18n/I18n";
import { MemberPicker } from "./MemberPicker";
import { conversationName, oldestFirst, otherMembers } from "./conversationName";

// No push channel exists: an open conversation asks for new messages this often.
const POLL_MS = 3_000;
const REASONS = ["spam_commercial", "offensive", "off_topic", "other"] as const;

function ReportMessage({ conversationId, messageId }: { conversationId: string; messageId: string }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<(typeof REASONS)[number]>("offensive");
  const report = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/conversations/{conversation_id}/messages/{message_id}/reports", {
        params: { path: { conversation_id: conversationId, message_id: messageId } },
        headers: { "Idempotency-Key": crypto.randomUUID() }, body: { reason },
      })),
  });
  const done = report.isSuccess || (report.error instanceof ApiProblem && report.error.problem.status === 409);
  return (
    <details className="report">
      <summary>{t("chat.report")}</summary>
      {done ? (
        <p role="status">{report.isSuccess ? t("chat.reported") : t("chat.reportedAlready")}</p>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); report.mutate(); }}>
          <fieldset>
            <legend>{t("chat.report.reason")}</legend>
            {REASONS.map((name) => (
              <div className="radio" key={name}>
                <input type="radio" id={`reason-${messageId}-${name}`} name={`reason-${messageId}`} value={name}
                  checked={reason === name} onChange={() => setReason(name)} />
                <label htmlFor={`reason-${messageId}-${name}`}>{t(`chat.report.${name}`)}</label>
              </div>
            ))}
          </fieldset>
          {report.isError && <p role="alert" className="error-message">{t("form.failed")}</p>}
          <button type="submit" className="warning" disabled={report.isPending}>{t("chat.report.submit")}</button>
        </form>
      )}
    </details>
  );
}

function Composer({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [body, setBody] = useState("");
  const send = useMutation({
    mutationFn: async (text: string) =>
      unwrap(await api.POST("/api/v1/conversations/{conversation_id}/messages", {
        params: { path: { conversation_id: conversationId } },
        headers: { "Idempotency-Key": crypto.randomUUID() }, body: { body: text },
      })),
    onSuccess: () => {
      setBody("");
      queryClient.invalidateQueries({ queryKey: ["messages", conversationId] });
      queryClient.invalidateQueries({ queryKey: ["conversations"] });
    },
  });
  // Nothing typed is lost on a refusal: the text stays in the box.
  const refusal = send.error instanceof ApiProblem
    ? { 403: t("chat.blockedByThem"), 409: t("chat.otherLeft"), 429: t("chat.tooFast") }[send.error.problem.status as 403 | 409 | 429]
    : undefined;
  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (body.trim() && !send.isPending) send.mutate(body.trim());
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }
  return (
    <form onSubmit={submit} className="composer">
      {send.isError && (
        <p role="alert" className="error-message">{refusal ?? t("form.failed")}</p>
      )}
      <div className="field">
        <label htmlFor="chat-message">{t("chat.message")}</label>
        <p className="hint" id="chat-message-hint">{t("chat.message.hint")}</p>
        <textarea id="chat-message" rows={2} maxLength={2000} value={body} aria-describedby="chat-message-hint"
          onChange={(event) => setBody(event.target.value)} onKeyDown={onKeyDown} />
      </div>
      <button type="submit" disabled={send.isPending}>{t("chat.send")}</button>
    </form>
  );
}

function BlockButton({ person }: { person: { id?: string; name?: string } }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const blocks = useQuery({
    queryKey: ["blocks"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/blocks", { params: { query: { limit: 100 } } })).items ?? [],
  });
  const blocked = (blocks.data ?? []).some((block) => block.user_id === person.id);
  const toggle = useMutation({
    mutationFn: async () => {
      const params = { params: { path: { user_id: person.id! } } };
      return unwrap(blocked ? await api.DELETE("/api/v1/me/blocks/{user_id}", params) : await api.PUT("/api/v1/me/blocks/{user_id}", params));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["blocks"] }),
  });
  const name = person.name ?? "";
  return (
    <div className="actions">
      {blocked && <p role="status">{t("chat.blocked", { name })}</p>}
      <button type="button" className={blocked ? "secondary" : "warning"} disabled={!blocks.isSuccess || toggle.isPending}
        onClick={() => toggle.mutate()}>
        {blocked ? t("chat.unblock", { name }) : t("chat.block", { name })}
      </button>
    </div>
  );
}

function AddMembers({ conversationId, members }: { conversationId: string; members: string[] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const add = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/conversations/{conversation_id}/members", {
        params: { path: { conversation_id: conversationId } },
        headers: { "Idempotency-Key": crypto.randomUUID() }, body: { member_ids: chosen },
      })),
    onSuccess: () => {
      setChosen([]);
      queryClient.invalidateQueries({ queryKey: ["conversation", conversationId] });
    },
  });
  return (
    <details className="report">
      <summary>{t("chat.addMembers")}</summary>
      <form onSubmit={(e) => { e.preventDefault(); if (chosen.length) add.mutate(); }}>
        <MemberPicker id="add-members" chosen={chosen} onChange={setChosen} exclude={members} />
        {add.isError && <p role="alert" className="error-message">{t("form.failed")}</p>}
        <button type="submit" disabled={add.isPending || !chosen.length}>{t("chat.addMembers.submit")}</button>
      </form>
    </details>
  );
}

export default function ConversationPage() {
  const { conversationId = "" } = useParams();
  const { t, formatDate } = useI18n();
  const session = useSession();
  const me = session.user?.id;
  const conversation = useQuery({
    queryKey: ["conversation", conversationId],
    queryFn: async () => unwrap(await api.GET("/api/v1/conversations/{conversation_id}", { params: { path: { conversation_id: conversationId } } })),
  });
  const messages = useInfiniteQuery({
    queryKey: ["messages", conversationId],
    initialPageParam: undefined as string | undefined,
    refetchInterval: POLL_MS,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET("/api/v1/conversations/{conversation_id}/messages", {
        params: { path: { conversation_id: conversationId }, query: { cursor: pageParam, limit: 50 } },
      })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const list = oldestFirst(messages.data?.pages ?? []);
  const end = useRef<HTMLDivElement>(null);
  const newest = list.at(-1)?.id;
  // A new message scrolls into view at the bottom, where the reader looks.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [newest]);

  if (conversation.isPending) return <p role="status">{t("app.loading")}</p>;
  if (conversation.isError) return <p role="alert" className="panel">{t("form.unavailable")}</p>;
  const data = conversation.data;
  const name = conversationName(data, me);
  const others = otherMembers(data, me);
  return (
    <div className="panel">
      <p><Link to="/chat">{t("chat.title")}</Link></p>
      <h1>{name}</h1>
      {data.kind === "group" && <p className="meta">{t("chat.withPeople", { names: others.map((m) => m.name).join(", ") })}</p>}
      {data.kind === "direct" && others[0] && <BlockButton person={others[0]} />}
      {data.kind === "group" && data.owner_id === me && (
        <AddMembers conversationId={conversationId} members={(data.members ?? []).map((m) => m.id!)} />
      )}
      <section aria-labelledby="messages-title">
        <h2 id="messages-title">{t("chat.messages")}</h2>
        {messages.hasNextPage && (
          <button type="button" className="secondary" onClick={() => messages.fetchNextPage()} disabled={messages.isFetchingNextPage}>
            {t("feed.more")}
          </button>
        )}
        {messages.isSuccess && list.length === 0 && <p>{t("chat.noMessages")}</p>}
        <ol className="messages" aria-live="polite">
          {list.map((message) => (
            <li key={message.id} className={message.mine ? "message message--mine" : "message"}>
              <p className="meta">
                <strong>{message.mine ? t("chat.you") : (message.author?.name ?? "")}</strong> · {formatDate(message.created_at)}
              </p>
              <p className="card-body">{message.state === "visible" ? message.body : <em>{message.placeholder}</em>}</p>
              {!message.mine && message.state === "visible" && <ReportMessage conversationId={conversationId} messageId={message.id!} />}
            </li>
          ))}
        </ol>
        <div ref={end} />
      </section>
      <Composer conversationId={conversationId} />
    </div>
  );
}
