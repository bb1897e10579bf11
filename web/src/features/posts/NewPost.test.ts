import { describe, expect, it } from "vitest";
import { postBody } from "./NewPost";

const draft = { category: "message" as const, title: " Hi ", body: " There ", kind: "give", pet_status: "lost", animal: "", starts_at: "", place: "" };

describe("postBody", () => {
  it("sends only the chosen type's own fields", () => {
    expect(postBody(draft)).toEqual({ category: "message", title: "Hi", body: "There" });
    expect(postBody({ ...draft, category: "classified", kind: "lend" })).toMatchObject({ kind: "lend" });
    expect(postBody({ ...draft, category: "pet", animal: "cat" })).toMatchObject({ pet_status: "lost", animal: "cat" });
    const event = postBody({ ...draft, category: "event", starts_at: "2026-12-24T18:00", place: "Square" });
    expect(event.starts_at).toMatch(/Z$/);
    expect(event).not.toHaveProperty("kind");
  });
});
