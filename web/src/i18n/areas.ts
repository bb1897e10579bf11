// Each area keeps its messages beside its code (features/<area>/messages) and registers them
// here with one line, so several areas grow at once without editing the shared catalogues.
import participation from "../features/participation/messages";
import incidents from "../features/incidents/messages";
import organisations from "../features/organisations/messages";
import notifications from "../features/notifications/messages";
import posts from "../features/posts/messages";
import account from "../features/account/messages";
import helpers from "../features/helpers/messages";
import calendar from "../features/calendar/messages";
import chat from "../features/chat/messages";

/** An area's messages: English defines the keys, the five other full catalogues match them. */
export type AreaCatalogues<Key extends string> = Record<"en" | "fr" | "de" | "nl" | "pt" | "lb", Record<Key, string>>;

export const AREAS = [
  participation,
  incidents,
  organisations,
  notifications,
  posts,
  account,
  helpers, calendar, chat,
] as const;

// keyof over each area separately (keyof of a union would keep only the keys all areas share).
type KeysOf<T> = T extends unknown ? keyof T & string : never;
export type AreaMessageKey = KeysOf<(typeof AREAS)[number]["en"]>;

/** Every area's messages for one language; languages without their own read English. */
const merged = new Map<string, Record<string, string>>();

export function areaMessagesFor(language: string): Record<string, string> {
  const known = merged.get(language);
  if (known) return known;
  const messages: Record<string, string> = {};
  for (const area of AREAS) {
    Object.assign(messages, area.en, (area as Partial<Record<string, Record<string, string>>>)[language]);
  }
  merged.set(language, messages);
  return messages;
}
