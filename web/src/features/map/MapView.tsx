// A Leaflet map for the screens that show one (lazy: the feed never loads Leaflet). Tiles come
// from the deployment's tile server (GET /api/v1/web-config); without one (tests, no network)
// the shapes and points still draw on a plain background. The map is a picture for sighted
// mouse users: every screen that shows one lists the same items beside it, and a point can be
// chosen without it (see LocationPicker).
import { useEffect, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./map.css";
import { api, unwrap } from "../../api/client";

export type MapShape = { id: string; name: string; geometry: GeoJSON.Geometry; emphasis?: "home" | "followed" | "other" };
export type MapPoint = { id: string; name: string; latitude: number; longitude: number };
type Props = {
  label: string;
  shapes?: MapShape[];
  points?: MapPoint[];
  picked?: { latitude: number; longitude: number } | null;
  onPick?: (point: { latitude: number; longitude: number }) => void;
};

const STYLE: Record<NonNullable<MapShape["emphasis"]>, L.PathOptions> = {
  home: { color: "#1d4f91", weight: 3, fillOpacity: 0.25 },
  followed: { color: "#2e7d32", weight: 2, fillOpacity: 0.15, dashArray: "4 4" },
  other: { color: "#555", weight: 1, fillOpacity: 0.05 },
};

function useTileUrl() {
  return useQuery({
    queryKey: ["web-config"],
    queryFn: async () => unwrap(await api.GET("/api/v1/web-config")),
    staleTime: Infinity,
  });
}

export default function MapView({ label, shapes = [], points = [], picked, onPick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<L.LayerGroup | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const config = useTileUrl();

  useEffect(() => {
    if (!box.current) return;
    // No keyboard focus on the map itself: its items are in the list beside it.
    const created = L.map(box.current, { keyboard: false, attributionControl: true, zoomControl: true });
    created.setView([49.61, 6.13], 13);
    created.on("click", (event: L.LeafletMouseEvent) => pick.current?.({ latitude: event.latlng.lat, longitude: event.latlng.lng }));
    layers.current = L.layerGroup().addTo(created);
    map.current = created;
    return () => {
      created.remove();
      map.current = null;
    };
  }, []);

  const tileUrl = config.data?.map?.tile_url;
  const attribution = config.data?.map?.attribution ?? "";
  useEffect(() => {
    if (!map.current || !tileUrl) return;
    const tiles = L.tileLayer(tileUrl, { attribution, maxZoom: 19 }).addTo(map.current);
    return () => {
      tiles.remove();
    };
  }, [tileUrl, attribution]);

  // Redraw when the items change (not on every render of the screen: its arrays are new each
  // time), and fit the view to them only then, so picking a point keeps the reader's zoom.
  const signature = JSON.stringify([shapes.map((s) => [s.id, s.emphasis]), points.map((p) => [p.id, p.latitude, p.longitude])]);
  const items = useRef({ shapes, points });
  items.current = { shapes, points };
  const marker = useRef<L.CircleMarker | null>(null);
  useEffect(() => {
    const group = layers.current;
    if (!map.current || !group) return;
    group.clearLayers();
    marker.current = null;
    const bounds = L.latLngBounds([]);
    for (const shape of items.current.shapes) {
      const layer = L.geoJSON(shape.geometry as GeoJSON.GeoJsonObject, { style: { ...STYLE[shape.emphasis ?? "other"], className: `map-shape map-shape--${shape.emphasis ?? "other"}` } });
      layer.bindTooltip(shape.name);
      layer.addTo(group);
      bounds.extend(layer.getBounds());
    }
    for (const point of items.current.points) {
      const dot = L.circleMarker([point.latitude, point.longitude], { radius: 7, color: "#b3261e", fillOpacity: 0.8, className: "map-point" });
      dot.bindTooltip(point.name);
      dot.addTo(group);
      bounds.extend(dot.getLatLng());
    }
    if (bounds.isValid()) map.current.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  }, [signature]);

  useEffect(() => {
    const group = layers.current;
    if (!map.current || !group) return;
    marker.current?.remove();
    marker.current = picked
      ? L.circleMarker([picked.latitude, picked.longitude], { radius: 9, color: "#000", weight: 3, fillColor: "#ffbf47", fillOpacity: 1, className: "map-picked" }).addTo(group)
      : null;
  }, [signature, picked?.latitude, picked?.longitude]);

  return (
    <figure className="map-figure">
      <div className="map" ref={box} />
      <figcaption className="hint">{label}</figcaption>
    </figure>
  );
}
