// The eleven languages of the platform. Six have a catalogue of their own; the rest read English
// text, with dates and numbers still in their own format (Intl), and Arabic right to left.
import de from "./de";
import { areaMessagesFor, type AreaMessageKey } from "./areas";
import en, { type Catalogue, type MessageKey } from "./en";
import fr from "./fr";
import lb from "./lb";
import nl from "./nl";
import pt from "./pt";

export const LANGUAGES = ["fr", "de", "en", "nl", "pt", "lb", "it", "es", "pl", "ar", "tr"] as const;
export type Language = (typeof LANGUAGES)[number];

// Each language named in itself, so a reader finds theirs whatever the page's language.
export const NATIVE_NAMES: Record<Language, string> = {
  fr: "Français", de: "Deutsch", en: "English", nl: "Nederlands", pt: "Português",
  lb: "Lëtzebuergesch", it: "Italiano", es: "Español", pl: "Polski", ar: "العربية", tr: "Türkçe",
};

const CATALOGUES: Partial<Record<Language, Catalogue>> = { en, fr, de, nl, pt, lb };
const RIGHT_TO_LEFT = new Set<Language>(["ar"]);

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

export function catalogueFor(language: Language): Catalogue {
  return CATALOGUES[language] ?? en;
}

export function directionOf(language: Language): "rtl" | "ltr" {
  return RIGHT_TO_LEFT.has(language) ? "rtl" : "ltr";
}

/** The first of the browser's preferred languages we speak ("pt-BR" counts as "pt"). */
export function fromBrowser(preferred: readonly string[]): Language | null {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return null;
}

/** A key of the shared catalogues or of an area's own messages (i18n/areas.ts). */
export type AppMessageKey = MessageKey | AreaMessageKey;

export function translate(
  language: Language,
  key: AppMessageKey,
  values: Record<string, string | number> = {},
): string {
  const template = (catalogueFor(language) as Record<string, string>)[key] ?? areaMessagesFor(language)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
