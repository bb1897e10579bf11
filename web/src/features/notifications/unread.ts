// The unread count beside "Notifications" in the navigation: one small request (a single item,
// unread only) a minute, paused while the tab is hidden, shared by every screen through the
// query cache. Marking read updates it at once from the answer.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const UNREAD_KEY = ["notifications", "unread"] as const;
const POLL_MS = 60_000;

export function useUnreadCount(enabled: boolean): number {
  const unread = useQuery({
    queryKey: UNREAD_KEY,
    enabled,
    refetchInterval: POLL_MS,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/me/notifications", { params: { query: { unread: true, limit: 1 } } })).unread?.total ?? 0,
  });
  return enabled ? (unread.data ?? 0) : 0;
}

export function useSetUnreadCount() {
  const client = useQueryClient();
  return (total: number | undefined) => {
    if (typeof total === "number") client.setQueryData(UNREAD_KEY, total);
  };
}
