import { lazy, Suspense } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../app/Session";
import { useI18n } from "../../i18n/I18n";
import { useNeighbourhoods } from "./useNeighbourhoods";

// The map (and Leaflet with it) loads after the page: the lists below never wait for it.
const NeighbourhoodMap = lazy(() => import("../organisations/NeighbourhoodMap"));
import { MessageButton } from "../chat/MessageButton";

function Members({ neighbourhoodId }: { neighbourhoodId: string }) {
  const { t } = useI18n();
  const session = useSession();
  const queryClient = useQueryClient();
  const members = useInfiniteQuery({
    queryKey: ["members", neighbourhoodId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}/members", {
        params: { path: { neighbourhood_id: neighbourhoodId }, query: { cursor: pageParam, limit: 50 } },
      })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const items = (members.data?.pages ?? []).flatMap((page) => page.items ?? []);
  // The API has no "am I listed" read: the list itself says, once it is fully loaded.
  const listed = items.some((member) => member.user_id === session.user?.id);
  const known = members.isSuccess && !members.hasNextPage;
  const setListed = useMutation({
    mutationFn: async (next: boolean) => unwrap(await api.PATCH("/api/v1/me/directory", { body: { listed: next } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["members", neighbourhoodId] }),
  });
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t("neighbours.list")}</h2>
      <p className="hint">{t("neighbours.listHint")}</p>
      {members.isSuccess && items.length === 0 && <p>{t("neighbours.empty")}</p>}
      <ul className="members">
        {items.map((member) => (
          <li key={member.user_id}>
            <strong>{member.first_name}</strong> · {member.street}
            {member.user_id !== session.user?.id && session.user?.role === "resident" && <MessageButton userId={member.user_id!} name={member.first_name ?? ""} />}
          </li>
        ))}
      </ul>
      {members.hasNextPage && (
        <button type="button" className="secondary" onClick={() => members.fetchNextPage()} disabled={members.isFetchingNextPage}>
          {t("feed.more")}
        </button>
      )}
      {known && (
        <div className="actions">
          <p role="status">{listed ? t("neighbours.listed") : t("neighbours.unlisted")}</p>
          <button type="button" className="secondary" onClick={() => setListed.mutate(!listed)} disabled={setListed.isPending}>
            {listed ? t("neighbours.hideMe") : t("neighbours.showMe")}
          </button>
        </div>
      )}
    </section>
  );
}

export default function NeighboursPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const neighbourhoods = useNeighbourhoods();
  const follow = useMutation({
    mutationFn: async ({ id, following }: { id: string; following: boolean }) => {
      const params = { params: { path: { neighbourhood_id: id } } };
      return unwrap(following ? await api.DELETE("/api/v1/me/follows/{neighbourhood_id}", params)
        : await api.PUT("/api/v1/me/follows/{neighbourhood_id}", params));
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["neighbourhoods"] });
      queryClient.invalidateQueries({ queryKey: ["feed"] });
    },
  });
  if (neighbourhoods.isPending) return <p role="status">{t("app.loading")}</p>;
  if (neighbourhoods.isError) return <p role="alert">{t("form.unavailable")}</p>;
  const all = neighbourhoods.data;
  const home = all.find((n) => n.home);
  const adjacent = all.filter((n) => home?.adjacent_ids?.includes(n.id!));
  return (
    <div className="panel">
      <h1>{t("neighbours.title")}</h1>
      {home && <p className="lead">{t("neighbours.home", { name: home.name ?? "" })}</p>}
      <Suspense fallback={null}>
        <NeighbourhoodMap neighbourhoods={all} />
      </Suspense>
      {adjacent.length > 0 && (
        <section aria-labelledby="adjacent-title">
          <h2 id="adjacent-title">{t("neighbours.adjacent")}</h2>
          <p className="hint">{t("neighbours.adjacentHint")}</p>
          <ul className="adjacent">
            {adjacent.map((n) => (
              <li key={n.id}>
                <span>{n.name}</span>
                <button
                  type="button"
                  className="secondary"
                  aria-pressed={Boolean(n.following)}
                  disabled={follow.isPending}
                  onClick={() => follow.mutate({ id: n.id!, following: Boolean(n.following) })}
                >
                  {n.following ? t("neighbours.unfollow", { name: n.name ?? "" }) : t("neighbours.follow", { name: n.name ?? "" })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {home?.id && <Members neighbourhoodId={home.id} />}
    </div>
  );
}
