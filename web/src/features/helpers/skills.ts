// Pure helpers for the skill picker: the catalogue grouped by category, filtered by what the
// reader types (accents and case ignored, so "jardinage" finds "Jardinage" and "Gärtnern" "garten").

export type Skill = { id: string; category: string; label: string };

export function folded(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase().trim();
}

/** Skills whose label holds every word of the filter, grouped by category in catalogue order. */
export function groupedSkills(skills: Skill[], filter: string): [string, Skill[]][] {
  const words = folded(filter).split(/\s+/).filter(Boolean);
  const groups = new Map<string, Skill[]>();
  for (const skill of skills) {
    const label = folded(skill.label);
    if (!words.every((word) => label.includes(word))) continue;
    groups.set(skill.category, [...(groups.get(skill.category) ?? []), skill]);
  }
  return [...groups.entries()];
}
