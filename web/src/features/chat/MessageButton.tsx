import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";

/** "Send a message" beside a neighbour: opens our direct conversation (the API answers the
 * existing one when there is one). */
export function MessageButton({ userId, name }: { userId: string; name: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const start = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/conversations", {
        headers: { "Idempotency-Key": crypto.randomUUID() }, body: { member_ids: [userId] },
      })),
    onSuccess: (conversation) => navigate(`/chat/${conversation.id}`),
  });
  return (
    <>
      {" "}
      <button type="button" className="link-button" disabled={start.isPending} onClick={() => start.mutate()}>
        {t("chat.sendMessage", { name })}
      </button>
      {start.isError && <span role="alert" className="error-message"> {t("chat.cannotStart")}</span>}
    </>
  );
}
