import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

/** The municipality's neighbourhoods, with the caller's home and follows marked. */
export function useNeighbourhoods() {
  return useQuery({
    queryKey: ["neighbourhoods"],
    queryFn: async () => unwrap(await api.GET("/api/v1/neighbourhoods")).items ?? [],
  });
}
