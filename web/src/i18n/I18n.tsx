import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import {
  LANGUAGES, NATIVE_NAMES, directionOf, fromBrowser, isLanguage, translate, type AppMessageKey, type Language,
} from "./languages";

const STORED = "quartier.language";

export type I18n = {
  language: Language;
  setLanguage: (language: Language) => void;
  t: (key: AppMessageKey, values?: Record<string, string | number>) => string;
  formatDate: (iso: string | number | undefined | null) => string;
  formatNumber: (value: number) => string;
  languageName: (code: string | null | undefined) => string;
};

const I18nContext = createContext<I18n | null>(null);

/** The reader's language before any profile is known: their last choice here, else the
 * browser's, else English. The profile's language replaces it on sign-in (SessionProvider). */
export function initialLanguage(): Language {
  const stored = typeof localStorage !== "undefined" ? localStorage.getItem(STORED) : null;
  if (isLanguage(stored)) return stored;
  return fromBrowser(typeof navigator !== "undefined" ? navigator.languages ?? [] : []) ?? "en";
}

export function I18nProvider({ children, language: fixed }: { children: ReactNode; language?: Language }) {
  const [language, setLanguageState] = useState<Language>(fixed ?? initialLanguage);

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORED, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = directionOf(language);
  }, [language]);

  const value = useMemo<I18n>(() => {
    const dates = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
    const numbers = new Intl.NumberFormat(language);
    const names = new Intl.DisplayNames([language], { type: "language" });
    return {
      language,
      setLanguage,
      t: (key, values) => translate(language, key, values),
      formatDate: (iso) => {
        if (iso === undefined || iso === null || iso === "") return "";
        const date = typeof iso === "number" ? new Date(iso * 1000) : new Date(iso);
        return Number.isNaN(date.getTime()) ? "" : dates.format(date);
      },
      formatNumber: (n) => numbers.format(n),
      languageName: (code) => (code ? (names.of(code) ?? code) : ""),
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error("useI18n outside I18nProvider");
  return context;
}

export function LanguagePicker() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="field field--inline">
      <label htmlFor="language-picker">{t("language.label")}</label>
      <select
        id="language-picker"
        value={language}
        onChange={(event) => isLanguage(event.target.value) && setLanguage(event.target.value)}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {NATIVE_NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
