import { lazy, Suspense, useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import "./incidents.css";
import { useNeighbourhoods } from "../neighbours/useNeighbourhoods";
import { centreOf, step, type Direction } from "./geometry";

const MapView = lazy(() => import("../map/MapView"));
export type Point = { latitude: number; longitude: number };
const STEP_METRES = 25;
const DIRECTIONS: Direction[] = ["north", "west", "east", "south"];

/** The incident's place: a tap on the map, or, without the map, the home neighbourhood's centre
 * moved step by step with buttons — no address needed either way. */
export function LocationPicker({ value, onChange, error }: { value: Point | null; onChange: (point: Point) => void; error?: string }) {
  const { t, language } = useI18n();
  // Five decimals: a step of 25 m shows (the app's default three would hide it).
  const degrees = new Intl.NumberFormat(language, { maximumFractionDigits: 5 });
  const neighbourhoods = useNeighbourhoods();
  const homeId = neighbourhoods.data?.find((n) => n.home)?.id;
  const home = useQuery({
    queryKey: ["neighbourhood", homeId],
    enabled: Boolean(homeId),
    queryFn: async () => unwrap(await api.GET("/api/v1/neighbourhoods/{neighbourhood_id}", { params: { path: { neighbourhood_id: homeId! } } })),
  });
  const geometry = (home.data as { geometry?: GeoJSON.Geometry } | undefined)?.geometry;
  const name = (home.data as { properties?: { name?: string } } | undefined)?.properties?.name ?? "";
  useEffect(() => {
    if (!value && geometry) {
      const centre = centreOf(geometry);
      if (centre) onChange(centre);
    }
  }, [value, geometry, onChange]);
  const coordinates = value
    ? t("incident.point", {
      latitude: degrees.format(value.latitude),
      longitude: degrees.format(value.longitude),
    })
    : t("incident.noPoint");
  return (
    <fieldset className={error ? "field field--error" : "field"} id="incident-location" tabIndex={-1}>
      <legend>{t("incident.location")}</legend>
      <p className="hint" id="incident-location-hint">{t("incident.locationHint", { metres: STEP_METRES })}</p>
      {error && <p className="error-message">{error}</p>}
      <Suspense fallback={<p role="status">{t("app.loading")}</p>}>
        <MapView
          label={t("incident.mapLabel", { name })}
          shapes={geometry && homeId ? [{ id: homeId, name, geometry, emphasis: "home" }] : []}
          picked={value}
          onPick={onChange}
        />
      </Suspense>
      <p role="status" aria-live="polite">{coordinates}</p>
      <div className="compass" role="group" aria-label={t("incident.move")}>
        {DIRECTIONS.map((direction) => (
          <button key={direction} type="button" className={`secondary compass-${direction}`} disabled={!value}
            onClick={() => value && onChange(step(value, direction, STEP_METRES))}>
            {t(`incident.move.${direction}` as "incident.move.north", { metres: STEP_METRES })}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
