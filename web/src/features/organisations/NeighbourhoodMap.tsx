// The home neighbourhood, the followed ones and the home's organisations on a map, with the same
// organisations listed beside it for the keyboard and screen readers (the adjacent neighbourhoods
// and their follow buttons are listed by the neighbours screen right below).
import { lazy, Suspense, useMemo } from "react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import type { MapPoint, MapShape } from "../map/MapView";

const MapView = lazy(() => import("../map/MapView"));

type Neighbourhood = { id?: string; name?: string; home?: boolean; following?: boolean };
type Organisation = {
  id: string;
  geometry: { coordinates: [number, number] };
  properties: { name: string; category_label?: string; address?: string; website?: string | null; phone?: string | null };
};

export default function NeighbourhoodMap({ neighbourhoods }: { neighbourhoods: Neighbourhood[] }) {
  const { t } = useI18n();
  // A resident may read the shape of their home and of the neighbourhoods they follow.
  const shown = neighbourhoods.filter((n) => n.id && (n.home || n.following));
  const home = shown.find((n) => n.home);
  const features = useQueries({
    queries: shown.map((n) => ({
      queryKey: ["neighbourhood", n.id],
      queryFn: async () => unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}", { params: { path: { neighbourhood_id: n.id! } } })),
    })),
  });
  const organisations = useQuery({
    queryKey: ["organisations", home?.id],
    enabled: Boolean(home?.id),
    queryFn: async () =>
      ((unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}/organisations", { params: { path: { neighbourhood_id: home!.id! } } })) as { features?: unknown[] }).features ?? []) as Organisation[],
  });
  const shapes = useMemo<MapShape[]>(() => features.flatMap((result, index) => {
    const geometry = (result.data as { geometry?: GeoJSON.Geometry } | undefined)?.geometry;
    const n = shown[index];
    return geometry ? [{ id: n.id!, name: n.name ?? "", geometry, emphasis: n.home ? "home" as const : "followed" as const }] : [];
  }), [features, shown]);
  const points = useMemo<MapPoint[]>(() => (organisations.data ?? []).map((o) => ({
    id: o.id, name: o.properties.name, longitude: o.geometry.coordinates[0], latitude: o.geometry.coordinates[1],
  })), [organisations.data]);
  return (
    <section aria-labelledby="map-title">
      <h2 id="map-title">{t("organisations.map")}</h2>
      <Suspense fallback={<p role="status">{t("app.loading")}</p>}>
        <MapView label={t("organisations.mapLabel")} shapes={shapes} points={points} />
      </Suspense>
      <h3 id="organisations-title">{t("organisations.title")}</h3>
      {organisations.isSuccess && points.length === 0 && <p>{t("organisations.none")}</p>}
      <ul className="members" aria-labelledby="organisations-title">
        {(organisations.data ?? []).map((o) => (
          <li key={o.id}>
            <strong>{o.properties.name}</strong>
            {o.properties.category_label ? ` · ${o.properties.category_label}` : ""}
            {o.properties.address ? ` · ${o.properties.address}` : ""}
            {o.properties.phone ? <> · <a href={`tel:${o.properties.phone}`}>{o.properties.phone}</a></> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
