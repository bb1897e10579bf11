import { describe, expect, it } from "vitest";
import { groupedSkills } from "./skills";

const SKILLS = [
  { id: "french_lessons", category: "lessons", label: "Cours de français" },
  { id: "gardening", category: "garden", label: "Jardinage" },
  { id: "lawn", category: "garden", label: "Tonte de pelouse" },
];

describe("groupedSkills", () => {
  it("groups by category in catalogue order", () => {
    expect(groupedSkills(SKILLS, "").map(([category, skills]) => [category, skills.length])).toEqual([
      ["lessons", 1], ["garden", 2],
    ]);
  });

  it("ignores accents and case, and needs every word", () => {
    expect(groupedSkills(SKILLS, "FRANCAIS cours")[0][1].map((s) => s.id)).toEqual(["french_lessons"]);
    expect(groupedSkills(SKILLS, "cours jardin")).toEqual([]);
  });
});
