import { useQuery } from "@tanstack/react-query";
import { ApiProblem, api, unwrap } from "../../api/client";
import type { Language } from "../../i18n/languages";

// The skill labels exist in these languages; the others read them in English.
const SKILL_LANGUAGES = ["fr", "de", "en", "nl", "pt", "lb", "it", "es"] as const;
export type SkillLanguage = (typeof SKILL_LANGUAGES)[number];

export function skillLanguage(language: Language): SkillLanguage {
  return (SKILL_LANGUAGES as readonly string[]).includes(language) ? (language as SkillLanguage) : "en";
}

/** My helper profile, or null when I offer no help (the API answers 404). */
export function useHelperProfile(language: Language) {
  const labels = skillLanguage(language);
  return useQuery({
    queryKey: ["helper-profile", labels],
    queryFn: async () => {
      try {
        return unwrap(await api.GET("/api/v1/me/helper-profile", { params: { query: { language: labels } } }));
      } catch (error) {
        if (error instanceof ApiProblem && error.problem.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useSkillCatalogue(language: Language) {
  const labels = skillLanguage(language);
  return useQuery({
    queryKey: ["helper-skills", labels],
    queryFn: async () => unwrap(await api.GET("/api/v1/helpers/skills", { params: { query: { language: labels } } })).items ?? [],
    staleTime: Infinity,
  });
}
