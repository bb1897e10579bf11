import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../app/Session";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { MemberPicker } from "./MemberPicker";
import { conversationName } from "./conversationName";

// No push channel exists: the list asks again this often while it is open.
const POLL_MS = 10_000;

function NewGroup() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const [members, setMembers] = useState<string[]>([]);
  const [errors, setErrors] = useState<FormError[]>([]);
  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/conversations", {
        headers: { "Idempotency-Key": crypto.randomUUID() },
        body: { title: title.trim(), member_ids: members },
      })),
    onSuccess: (conversation) => {
      queryClient.invalidateQueries({ queryKey: ["conversations"] });
      navigate(`/chat/${conversation.id}`);
    },
    onError: (error) => setErrors(formErrorsOf(error, { title: "group-title", member_ids: "group-members" }, t("form.failed"),
      { unavailable: t("form.unavailable") })),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: FormError[] = [];
    if (!title.trim()) missing.push({ field: "group-title", message: t("form.required", { field: t("chat.group.title").toLowerCase() }) });
    if (!members.length) missing.push({ field: "group-members", message: t("chat.group.membersRequired") });
    setErrors(missing);
    if (!missing.length) create.mutate();
  }
  return (
    <details className="report">
      <summary>{t("chat.newGroup")}</summary>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <TextField id="group-title" label={t("chat.group.title")} value={title} maxLength={80}
          onChange={(event) => setTitle(event.target.value)} error={errorFor(errors, "group-title")} />
        <MemberPicker id="group-members" chosen={members} onChange={setMembers} error={errorFor(errors, "group-members")} />
        <button type="submit" disabled={create.isPending}>{t("chat.group.create")}</button>
      </form>
    </details>
  );
}

export default function ChatPage() {
  const { t, formatDate } = useI18n();
  const session = useSession();
  const conversations = useQuery({
    queryKey: ["conversations"],
    enabled: session.user?.role === "resident",
    refetchInterval: POLL_MS,
    queryFn: async () => unwrap(await api.GET("/api/v1/conversations", { params: { query: { limit: 50 } } })).items ?? [],
  });
  if (session.user?.role !== "resident") return <p className="panel">{t("chat.staff")}</p>;
  return (
    <div className="panel">
      <h1>{t("chat.title")}</h1>
      <NewGroup />
      <section aria-labelledby="conversations-title">
        <h2 id="conversations-title">{t("chat.conversations")}</h2>
        {conversations.isError && <p role="alert">{t("form.unavailable")}</p>}
        {conversations.isSuccess && conversations.data.length === 0 && <p>{t("chat.empty")}</p>}
        <ul className="post-list">
          {(conversations.data ?? []).map((conversation) => (
            <li key={conversation.id} className="card">
              <Link to={`/chat/${conversation.id}`} className="card-title">
                {conversationName(conversation, session.user?.id)}
              </Link>
              <p className="meta">
                {formatDate(conversation.last_message_at ?? conversation.created_at)}
                {conversation.unread ? <> · <strong>{t("chat.unread", { count: conversation.unread })}</strong></> : null}
              </p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
