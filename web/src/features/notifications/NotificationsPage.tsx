import { useEffect } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { describe, type Notification } from "./describe";
import { useSetUnreadCount } from "./unread";

const PAGE_SIZE = 20;
const LIST_KEY = ["notifications", "list"] as const;

/** The inbox: newest first, unread ones marked in words (not by colour alone), each readable
 * on its own or all at once; following a link marks that one read. */
export default function NotificationsPage() {
  const { t, formatDate } = useI18n();
  const client = useQueryClient();
  const setUnread = useSetUnreadCount();

  const inbox = useInfiniteQuery({
    queryKey: LIST_KEY,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET("/api/v1/me/notifications", { params: { query: { limit: PAGE_SIZE, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const firstPage = inbox.data?.pages[0];
  // The inbox's own answer is fresher than the last poll: the navigation's count follows it.
  const listedUnread = firstPage?.unread?.total;
  useEffect(() => setUnread(listedUnread), [listedUnread]); // eslint-disable-line react-hooks/exhaustive-deps

  const markRead = useMutation({
    mutationFn: async (body: { ids: string[] } | { all: true }) =>
      unwrap(await api.POST("/api/v1/me/notifications/read", { body })),
    onSuccess: (answer) => {
      setUnread(answer.unread?.total);
      client.invalidateQueries({ queryKey: LIST_KEY });
    },
  });

  const items: Notification[] = (inbox.data?.pages ?? []).flatMap((page) => (page.items ?? []) as Notification[]);
  const unread = firstPage?.unread?.total ?? 0;

  return (
    <section aria-labelledby="notifications-title" className="notifications">
      <div className="feed-head">
        <h1 id="notifications-title">{t("notifications.title")}</h1>
        {unread > 0 && (
          <button type="button" className="secondary" disabled={markRead.isPending} onClick={() => markRead.mutate({ all: true })}>
            {t("notifications.markAll")}
          </button>
        )}
      </div>
      <p>
        <Link to="/notifications/settings">{t("notifications.settingsLink")}</Link>
      </p>
      {inbox.isPending && <p role="status">{t("app.loading")}</p>}
      {inbox.isError && <p role="alert">{t("form.unavailable")}</p>}
      {inbox.isSuccess && (
        <p role="status" className="meta">
          {unread > 0 ? t("notifications.unreadCount", { count: unread }) : t("notifications.allRead")}
        </p>
      )}
      {inbox.isSuccess && items.length === 0 && <p>{t("notifications.empty")}</p>}
      <ul className="notification-list">
        {items.map((notification) => {
          const { text, to } = describe(notification, t, formatDate);
          const id = notification.id ?? "";
          return (
            <li key={id} className={notification.read ? "card" : "card card--unread"}>
              {!notification.read && <p className="chip">{t("notifications.unread")}</p>}
              <p className="notification-text">
                {to ? (
                  <Link to={to} onClick={() => !notification.read && markRead.mutate({ ids: [id] })}>
                    {text}
                  </Link>
                ) : (
                  text
                )}
              </p>
              <p className="meta">
                <time dateTime={notification.created_at}>{formatDate(notification.created_at)}</time>
              </p>
              {!notification.read && (
                <button type="button" className="link-button" disabled={markRead.isPending} onClick={() => markRead.mutate({ ids: [id] })}>
                  {t("notifications.markRead")}
                  <span className="visually-hidden">: {text}</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {inbox.hasNextPage && (
        <button type="button" className="secondary" onClick={() => inbox.fetchNextPage()} disabled={inbox.isFetchingNextPage}>
          {t("notifications.more")}
        </button>
      )}
    </section>
  );
}
