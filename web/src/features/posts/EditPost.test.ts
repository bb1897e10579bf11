import { describe, expect, it } from "vitest";
import { changesOf, draftOf, localDateTime } from "./EditPost";

describe("editing a post", () => {
  it("sends the type's own fields and never the category", () => {
    const draft = draftOf({ id: "p1", category: "classified", kind: "lend", title: " Ladder ", body: "A ladder" });
    expect(changesOf({ ...draft, kind: "give" })).toEqual({ title: "Ladder", body: "A ladder", kind: "give" });
  });

  it("puts an event's instant in the local datetime field and back as the same instant", () => {
    const instant = "2026-12-24T18:30:00.000Z";
    const draft = draftOf({ id: "e1", category: "event", title: "Carols", body: "Come", starts_at: instant, place: "Square" });
    expect(draft.starts_at).toBe(localDateTime(instant));
    expect(changesOf(draft)).toEqual({ title: "Carols", body: "Come", starts_at: instant, place: "Square" });
  });

  it("leaves the field empty for a missing or broken date", () => {
    expect(localDateTime(undefined)).toBe("");
    expect(localDateTime("not a date")).toBe("");
  });
});
