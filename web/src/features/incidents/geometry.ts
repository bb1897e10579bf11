// Small geometry for choosing a point without a map: a shape's centre to start from, and steps
// of a fixed distance north, south, east or west.

type Position = number[];

function positionsOf(geometry: GeoJSON.Geometry): Position[] {
  switch (geometry.type) {
    case "Point": return [geometry.coordinates];
    case "Polygon": return geometry.coordinates[0] ?? [];
    case "MultiPolygon": return geometry.coordinates.flatMap((polygon) => polygon[0] ?? []);
    case "LineString": return geometry.coordinates;
    default: return [];
  }
}

/** The middle of the shape's bounding box: inside any roughly convex neighbourhood. */
export function centreOf(geometry: GeoJSON.Geometry): { latitude: number; longitude: number } | null {
  const positions = positionsOf(geometry);
  if (!positions.length) return null;
  const longitudes = positions.map((p) => p[0]);
  const latitudes = positions.map((p) => p[1]);
  return {
    latitude: (Math.min(...latitudes) + Math.max(...latitudes)) / 2,
    longitude: (Math.min(...longitudes) + Math.max(...longitudes)) / 2,
  };
}

const METRES_PER_DEGREE = 111_320;
export type Direction = "north" | "south" | "east" | "west";

/** The point moved `metres` towards `direction` (a degree of longitude shrinks with latitude). */
export function step(point: { latitude: number; longitude: number }, direction: Direction, metres: number) {
  const dLat = metres / METRES_PER_DEGREE;
  const dLon = metres / (METRES_PER_DEGREE * Math.cos((point.latitude * Math.PI) / 180));
  const latitude = point.latitude + (direction === "north" ? dLat : direction === "south" ? -dLat : 0);
  const longitude = point.longitude + (direction === "east" ? dLon : direction === "west" ? -dLon : 0);
  return { latitude: Math.max(-90, Math.min(90, latitude)), longitude: ((longitude + 540) % 360) - 180 };
}
