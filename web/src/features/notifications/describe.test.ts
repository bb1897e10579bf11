import { describe as group, expect, it } from "vitest";
import { translate } from "../../i18n/languages";
import { describe } from "./describe";
import { applicationServerKey } from "./push";

const t = (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate("en", key, values);
const date = (iso: string) => iso.slice(0, 10);

group("a notification in words", () => {
  it("names who commented and links to the post", () => {
    expect(describe({ kind: "reply", actor: { name: "Marie" }, post_id: "p1" }, t, date))
      .toEqual({ text: "Marie commented on your post", to: "/posts/p1" });
  });

  it("says a neighbour when the actor is gone, and leads nowhere without a post", () => {
    expect(describe({ kind: "reply", actor: null }, t, date)).toEqual({ text: "A neighbour commented on your post", to: null });
  });

  it("tells the author what moderation did, linking their post only", () => {
    expect(describe({ kind: "moderation", action: "hidden", content_kind: "post", content_id: "p2" }, t, date))
      .toEqual({ text: "A moderator hid something you wrote", to: "/posts/p2" });
    expect(describe({ kind: "moderation", action: "held", content_kind: "comment", content_id: "c1" }, t, date).to).toBeNull();
  });

  it("shows a suspension's end date and the city's announcement title as text", () => {
    expect(describe({ kind: "suspension", until: "2026-12-24T00:00:00Z" }, t, date).text).toBe("Your account is suspended until 2026-12-24");
    expect(describe({ kind: "announcement", title: "<b>Water</b>", post_id: "a1" }, t, date).text).toBe("The city announced: <b>Water</b>");
  });
});

group("the VAPID key", () => {
  it("decodes base64url without padding into the raw bytes", () => {
    expect(Array.from(applicationServerKey("_-8"))).toEqual([0xff, 0xef]);
    expect(applicationServerKey("BA").length).toBe(1);
  });
});
