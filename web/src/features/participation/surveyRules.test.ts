import { describe, expect, it } from "vitest";
import { answersToSend, isAsked, type Survey } from "./surveyRules";

const survey: Survey = {
  id: "s",
  title: "Streets",
  sections: [{ questions: [
    { id: "travel", type: "single_choice", text: "How?", options: [{ id: "bike", label: "Bike" }, { id: "car", label: "Car" }] },
    { id: "parking", type: "scale", text: "Parking?", show_if: { question_id: "travel", any_of: ["bike"] } },
    { id: "racks", type: "short_text", text: "Where?", show_if: { question_id: "parking", any_of: ["x"] } },
    { id: "ideas", type: "long_text", text: "Ideas", required: false },
  ] }],
};
const byId = new Map(survey.sections[0].questions.map((q) => [q.id, q]));

describe("survey conditions", () => {
  it("asks a conditional question only when its choice was made", () => {
    const parking = byId.get("parking")!;
    expect(isAsked(parking, {}, byId)).toBe(false);
    expect(isAsked(parking, { travel: "car" }, byId)).toBe(false);
    expect(isAsked(parking, { travel: "bike" }, byId)).toBe(true);
  });

  it("drops answers to questions no longer asked, and empty ones", () => {
    expect(answersToSend(survey, { travel: "car", parking: 7, ideas: "" })).toEqual({ travel: "car" });
    expect(answersToSend(survey, { travel: "bike", parking: 7, ideas: "More trees" })).toEqual({ travel: "bike", parking: 7, ideas: "More trees" });
  });
});
