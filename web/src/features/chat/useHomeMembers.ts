import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../app/Session";
import { useNeighbourhoods } from "../neighbours/useNeighbourhoods";

/** The listed residents of my home neighbourhood but me: whom I can add to a group. */
export function useHomeMembers() {
  const session = useSession();
  const home = useNeighbourhoods().data?.find((n) => n.home);
  return useQuery({
    queryKey: ["members", home?.id, "chat"],
    enabled: Boolean(home?.id),
    queryFn: async () =>
      (unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}/members", {
        params: { path: { neighbourhood_id: home!.id! }, query: { limit: 100 } },
      })).items ?? []).filter((member) => member.user_id !== session.user?.id),
  });
}
