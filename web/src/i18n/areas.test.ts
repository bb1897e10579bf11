import { describe, expect, it } from "vitest";
import { AREAS } from "./areas";
import { translate } from "./languages";

describe("area messages", () => {
  it("each area's five other catalogues have its English keys, none empty", () => {
    for (const area of AREAS) {
      for (const catalogue of [area.fr, area.de, area.nl, area.pt, area.lb]) {
        expect(Object.keys(catalogue).sort()).toEqual(Object.keys(area.en).sort());
        expect(Object.values(catalogue).filter((text) => !text.trim())).toEqual([]);
      }
    }
  });

  it("are translated like the shared ones, English for languages without a catalogue", () => {
    expect(translate("de", "nav.participate")).toBe("Mitmachen");
    expect(translate("ar", "nav.participate")).toBe("Take part");
  });
});
