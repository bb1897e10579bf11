// What a notification says and where it leads, from its kind and the fields the inbox adds for
// that kind (gateway/http/routes/notifications.py documents them).
import type { AppMessageKey } from "../../i18n/languages";

export type Notification = {
  id?: string;
  kind?: string;
  created_at?: string;
  read?: boolean;
  actor?: { id?: string; name?: string } | null;
  [field: string]: unknown;
};

type Translate = (key: AppMessageKey, values?: Record<string, string | number>) => string;

const MODERATION: Record<string, AppMessageKey> = {
  held: "notifications.held",
  hidden: "notifications.hidden",
  restored: "notifications.restored",
};

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function describe(
  notification: Notification,
  t: Translate,
  formatDate: (iso: string) => string,
): { text: string; to: string | null } {
  const name = notification.actor?.name || t("notifications.someone");
  const post = text(notification.post_id);
  switch (notification.kind) {
    case "reply":
      return { text: t("notifications.reply", { name }), to: post ? `/posts/${post}` : null };
    case "chat_message":
      return { text: t("notifications.chat", { name }), to: null };
    case "announcement":
      return { text: t("notifications.announcement", { title: text(notification.title) }), to: post ? `/posts/${post}` : null };
    case "moderation": {
      const content = text(notification.content_kind) === "post" ? text(notification.content_id) : "";
      return {
        text: t(MODERATION[text(notification.action)] ?? "notifications.held"),
        to: content ? `/posts/${content}` : null,
      };
    }
    case "suspension":
      return { text: t("notifications.suspension", { date: formatDate(text(notification.until)) }), to: null };
    case "callout":
      return { text: t("notifications.callout", { message: text(notification.message) }), to: null };
    default:
      return { text: t("notifications.title"), to: null };
  }
}
