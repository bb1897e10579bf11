import { describe, expect, it } from "vitest";
import de from "./de";
import en from "./en";
import fr from "./fr";
import lb from "./lb";
import nl from "./nl";
import pt from "./pt";
import { catalogueFor, directionOf, fromBrowser, translate } from "./languages";

describe("catalogues", () => {
  it("the six complete languages translate every English key, and none is left empty", () => {
    for (const catalogue of [fr, de, nl, pt, lb]) {
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      expect(Object.values(catalogue).filter((text) => !text.trim())).toEqual([]);
    }
  });

  it("the other five read English, Arabic right to left", () => {
    for (const language of ["it", "es", "pl", "ar", "tr"] as const) expect(catalogueFor(language)).toBe(en);
    expect(directionOf("ar")).toBe("rtl");
    expect(directionOf("fr")).toBe("ltr");
  });

  it("fills placeholders and keeps unknown ones visible", () => {
    expect(translate("fr", "post.by", { name: "Marie" })).toBe("Par Marie");
    expect(translate("en", "post.by")).toBe("By {name}");
  });

  it("takes the first browser language it speaks, by its base", () => {
    expect(fromBrowser(["ja", "pt-BR", "en"])).toBe("pt");
    expect(fromBrowser(["ja"])).toBeNull();
  });
});
