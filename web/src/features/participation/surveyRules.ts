// A survey's questions as the API describes them, and the rules the form applies live: which
// questions are asked (conditions), and the answers as the API takes them.

export type Option = { id: string; label: string; translations?: Record<string, string> };
export type Question = {
  id: string;
  type: "single_choice" | "multiple_choice" | "scale" | "ranking" | "short_text" | "long_text" | "matrix";
  text: string;
  translations?: Record<string, string>;
  required?: boolean;
  options?: Option[];
  min?: number;
  max?: number;
  rows?: Option[];
  columns?: Option[];
  show_if?: { question_id: string; any_of: string[] };
};
export type Section = { id?: string; title?: string; translations?: Record<string, string>; questions: Question[] };
export type Survey = {
  id: string;
  title: string;
  description?: string;
  translations?: Record<string, string>;
  status?: string;
  responded?: boolean;
  closes_at?: string;
  sections: Section[];
};

export type Answer = string | string[] | number | Record<string, string>;
export type Answers = Record<string, Answer | undefined>;

/** Asked when it has no condition, or when the earlier choice question it depends on (itself
 * asked) was answered with one of the listed options. */
export function isAsked(question: Question, answers: Answers, byId: Map<string, Question>, seen = new Set<string>()): boolean {
  const condition = question.show_if;
  if (!condition) return true;
  if (seen.has(question.id)) return false;
  const parent = byId.get(condition.question_id);
  if (!parent || !isAsked(parent, answers, byId, new Set(seen).add(question.id))) return false;
  const answer = answers[condition.question_id];
  const chosen = Array.isArray(answer) ? answer : typeof answer === "string" ? [answer] : [];
  return chosen.some((option) => condition.any_of.includes(option));
}

export function questionsOf(survey: Survey): Question[] {
  return survey.sections.flatMap((section) => section.questions);
}

/** The answers to send: only questions asked, and only those given (an unanswered optional
 * question is left out; a required one left out is named by the API). */
export function answersToSend(survey: Survey, answers: Answers): Record<string, Answer> {
  const questions = questionsOf(survey);
  const byId = new Map(questions.map((question) => [question.id, question]));
  const sent: Record<string, Answer> = {};
  for (const question of questions) {
    const answer = answers[question.id];
    if (!isAsked(question, answers, byId)) continue;
    if (answer === undefined || answer === "" || (Array.isArray(answer) && answer.length === 0)) continue;
    if (typeof answer === "object" && !Array.isArray(answer) && Object.keys(answer).length === 0) continue;
    sent[question.id] = answer;
  }
  return sent;
}

/** The author's text in the reader's language when they gave one. */
export function localised(text: string, translations: Record<string, string> | undefined, language: string): string {
  return translations?.[language] || text;
}
