import { useQueries } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useNeighbourhoods } from "../neighbours/useNeighbourhoods";

/** Upcoming events of my home and followed neighbourhoods, soonest first, each with the name of
 * its neighbourhood (the API lists one neighbourhood at a time). */
export function useUpcomingEvents() {
  const neighbourhoods = useNeighbourhoods();
  const readable = (neighbourhoods.data ?? []).filter((n) => n.home || n.following);
  const lists = useQueries({
    queries: readable.map((n) => ({
      queryKey: ["events", n.id],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}/events", {
          params: { path: { neighbourhood_id: n.id! }, query: { limit: 100 } },
        })).items ?? [],
    })),
  });
  const names = new Map(readable.map((n) => [n.id, n.name ?? ""]));
  const events = lists
    .flatMap((list) => list.data ?? [])
    .map((event) => ({ ...event, neighbourhoodName: names.get(event.neighbourhood_id) ?? "" }))
    .sort((a, b) => Date.parse(a.starts_at ?? "") - Date.parse(b.starts_at ?? ""));
  return {
    events,
    home: (neighbourhoods.data ?? []).find((n) => n.home),
    isPending: neighbourhoods.isPending || lists.some((list) => list.isPending),
    isError: neighbourhoods.isError || lists.some((list) => list.isError),
  };
}

export type CalendarEvent = ReturnType<typeof useUpcomingEvents>["events"][number];
