import { describe, expect, it } from "vitest";
import { centreOf, step } from "./geometry";

describe("choosing a point without a map", () => {
  it("starts at the middle of the neighbourhood", () => {
    const square: GeoJSON.Polygon = { type: "Polygon", coordinates: [[[6, 49], [6.2, 49], [6.2, 49.2], [6, 49.2], [6, 49]]] };
    expect(centreOf(square)).toEqual({ latitude: 49.1, longitude: 6.1 });
  });

  it("moves about the distance asked in each direction", () => {
    const start = { latitude: 49.6, longitude: 6.13 };
    const north = step(start, "north", 50);
    expect((north.latitude - start.latitude) * 111_320).toBeCloseTo(50, 5);
    const east = step(start, "east", 50);
    expect((east.longitude - start.longitude) * 111_320 * Math.cos((49.6 * Math.PI) / 180)).toBeCloseTo(50, 5);
    expect(step(start, "west", 50).longitude).toBeLessThan(start.longitude);
  });
});
