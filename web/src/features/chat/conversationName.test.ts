import { describe, expect, it } from "vitest";
import { conversationName, oldestFirst } from "./conversationName";

describe("conversationName", () => {
  const members = [{ id: "me", name: "Marie Dupont" }, { id: "b", name: "Luca Rossi" }];

  it("names a direct conversation by the other person", () => {
    expect(conversationName({ kind: "direct", members }, "me")).toBe("Luca Rossi");
  });

  it("names a group by its title", () => {
    expect(conversationName({ kind: "group", title: "Rue Haute", members }, "me")).toBe("Rue Haute");
  });
});

describe("oldestFirst", () => {
  it("turns newest-first pages into oldest-first messages", () => {
    expect(oldestFirst([{ items: [3, 2] }, { items: [1] }])).toEqual([1, 2, 3]);
  });
});
