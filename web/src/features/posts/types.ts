import type { components, operations } from "../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
export type FeedPage = Json<operations["get_feed"]["responses"]["200"]>;
export type Post = NonNullable<FeedPage["items"]>[number];
export type NewPostBody = Json<NonNullable<operations["create_post"]["requestBody"]>>;
export type Comment = NonNullable<Json<operations["list_comments"]["responses"]["200"]>["items"]>[number];
export type Translation = Json<operations["get_post_translation"]["responses"]["200"]>;
export type ErrorBody = components["schemas"]["Error"];

export const CATEGORIES = ["message", "classified", "pet", "recommendation", "help", "event", "safety"] as const;
export type Category = (typeof CATEGORIES)[number];
