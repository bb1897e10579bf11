import { useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextArea, TextField } from "../../components/Field";
import { errorFor } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import "./participation.css";
import { answersToSend, isAsked, localised, questionsOf, type Answer, type Answers, type Question, type Survey } from "./surveyRules";

/** The input id of a question: where the error summary's link takes the focus. */
const inputId = (question: Question) => `q-${question.id}`;

type QuestionProps = { question: Question; value: Answer | undefined; error?: string; onChange: (value: Answer) => void };

function Legend({ question, error }: { question: Question; error?: string }) {
  const { t, language } = useI18n();
  return (
    <>
      <legend>
        {localised(question.text, question.translations, language)}
        {question.required === false && <span className="hint"> {t("survey.optional")}</span>}
      </legend>
      {error && <p className="error-message" id={`${inputId(question)}-error`}>{error}</p>}
    </>
  );
}

function ChoiceQuestion({ question, value, error, onChange }: QuestionProps) {
  const { language } = useI18n();
  const multiple = question.type === "multiple_choice";
  const chosen = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return (
    <fieldset className={error ? "field field--error" : "field"} aria-describedby={error ? `${inputId(question)}-error` : undefined}>
      <Legend question={question} error={error} />
      {(question.options ?? []).map((option, index) => (
        <div className="radio" key={option.id}>
          <input
            type={multiple ? "checkbox" : "radio"}
            id={index === 0 ? inputId(question) : `${inputId(question)}-${option.id}`}
            name={inputId(question)}
            value={option.id}
            checked={chosen.includes(option.id)}
            onChange={(event) => {
              if (!multiple) return onChange(option.id);
              onChange(event.target.checked ? [...chosen, option.id] : chosen.filter((id) => id !== option.id));
            }}
          />
          <label htmlFor={index === 0 ? inputId(question) : `${inputId(question)}-${option.id}`}>
            {localised(option.label, option.translations, language)}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

function ScaleQuestion({ question, value, error, onChange }: QuestionProps) {
  const low = question.min ?? 1;
  const high = question.max ?? 10;
  const values = Array.from({ length: high - low + 1 }, (_, index) => low + index);
  return (
    <fieldset className={error ? "field field--error" : "field"} aria-describedby={error ? `${inputId(question)}-error` : undefined}>
      <Legend question={question} error={error} />
      <div className="scale">
        {values.map((number, index) => (
          <div className="radio" key={number}>
            <input
              type="radio"
              id={index === 0 ? inputId(question) : `${inputId(question)}-${number}`}
              name={inputId(question)}
              checked={value === number}
              onChange={() => onChange(number)}
            />
            <label htmlFor={index === 0 ? inputId(question) : `${inputId(question)}-${number}`}>{number}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/** Ranking without dragging: each option moves up or down with a button, so the keyboard and
 * a screen reader rank as well as a finger. */
function RankingQuestion({ question, value, error, onChange }: QuestionProps) {
  const { t, language } = useI18n();
  const options = question.options ?? [];
  const order = Array.isArray(value) && value.length === options.length ? value : options.map((option) => option.id);
  const label = (id: string) => {
    const option = options.find((candidate) => candidate.id === id);
    return option ? localised(option.label, option.translations, language) : id;
  };
  const move = (from: number, to: number) => {
    const next = [...order];
    [next[from], next[to]] = [next[to], next[from]];
    onChange(next);
  };
  return (
    <fieldset className={error ? "field field--error" : "field"} aria-describedby={error ? `${inputId(question)}-error` : undefined}>
      <Legend question={question} error={error} />
      <p className="hint">{t("survey.rankingHint")}</p>
      <ol className="ranking" id={inputId(question)} tabIndex={-1}>
        {order.map((id, index) => (
          <li key={id}>
            <span>{label(id)}</span>
            <button type="button" className="secondary" disabled={index === 0} onClick={() => move(index, index - 1)}>
              {t("survey.moveUp", { option: label(id) })}
            </button>
            <button type="button" className="secondary" disabled={index === order.length - 1} onClick={() => move(index, index + 1)}>
              {t("survey.moveDown", { option: label(id) })}
            </button>
          </li>
        ))}
      </ol>
    </fieldset>
  );
}

function MatrixQuestion({ question, value, error, onChange }: QuestionProps) {
  const { language } = useI18n();
  const chosen = value && typeof value === "object" && !Array.isArray(value) ? value : {};
  return (
    <fieldset className={error ? "field field--error" : "field"} aria-describedby={error ? `${inputId(question)}-error` : undefined}>
      <Legend question={question} error={error} />
      {(question.rows ?? []).map((row, rowIndex) => (
        <div className="field field--inline" key={row.id}>
          <label htmlFor={rowIndex === 0 ? inputId(question) : `${inputId(question)}-${row.id}`}>
            {localised(row.label, row.translations, language)}
          </label>
          <select
            id={rowIndex === 0 ? inputId(question) : `${inputId(question)}-${row.id}`}
            value={chosen[row.id] ?? ""}
            onChange={(event) => onChange({ ...chosen, [row.id]: event.target.value })}
          >
            <option value="">—</option>
            {(question.columns ?? []).map((column) => (
              <option key={column.id} value={column.id}>
                {localised(column.label, column.translations, language)}
              </option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}

function QuestionInput(props: QuestionProps) {
  const { language } = useI18n();
  const { question, value, error, onChange } = props;
  const text = localised(question.text, question.translations, language);
  switch (question.type) {
    case "single_choice":
    case "multiple_choice":
      return <ChoiceQuestion {...props} />;
    case "scale":
      return <ScaleQuestion {...props} />;
    case "ranking":
      return <RankingQuestion {...props} />;
    case "matrix":
      return <MatrixQuestion {...props} />;
    case "long_text":
      return <TextArea id={inputId(question)} label={text} error={error} value={typeof value === "string" ? value : ""} onChange={(event) => onChange(event.target.value)} />;
    default:
      return <TextField id={inputId(question)} label={text} error={error} value={typeof value === "string" ? value : ""} onChange={(event) => onChange(event.target.value)} />;
  }
}

/** The API's problems per `answers.<question id>` as errors beside each question. */
function surveyErrors(error: unknown, questions: Question[], fallback: string, byStatus: Record<number, string>): FormError[] {
  if (!(error instanceof ApiProblem)) return [{ message: fallback }];
  const { problem } = error;
  if (byStatus[problem.status]) return [{ message: byStatus[problem.status] }];
  const fields = questions
    .filter((question) => problem.fields[`answers.${question.id}`])
    .map((question) => ({ field: inputId(question), message: problem.fields[`answers.${question.id}`] }));
  return fields.length ? fields : [{ message: problem.message || fallback }];
}

export default function SurveyPage() {
  const { surveyId = "" } = useParams();
  const { t, language, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<FormError[]>([]);
  const survey = useQuery({
    queryKey: ["survey", surveyId],
    queryFn: async () => unwrap(await api.GET("/api/v1/surveys/{survey_id}", { params: { path: { survey_id: surveyId } } })) as unknown as Survey,
  });
  const questions = useMemo(() => (survey.data ? questionsOf(survey.data) : []), [survey.data]);
  const byId = useMemo(() => new Map(questions.map((question) => [question.id, question])), [questions]);
  const submit = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/surveys/{survey_id}/responses", {
        params: { path: { survey_id: surveyId } },
        // The generated type says nothing of an answer's shape (it is per question type).
        body: { answers: answersToSend(survey.data!, answers) as Record<string, never> },
      })),
    onSuccess: () => {
      setErrors([]);
      queryClient.invalidateQueries({ queryKey: ["survey", surveyId] });
      queryClient.invalidateQueries({ queryKey: ["surveys"] });
    },
    onError: (error) => setErrors(surveyErrors(error, questions, t("form.failed"), { 409: t("survey.already") })),
  });

  if (survey.isPending) return <p role="status">{t("app.loading")}</p>;
  if (survey.isError) return <p role="alert">{t("survey.notFound")}</p>;
  const data = survey.data;
  const done = submit.isSuccess || data.responded;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  return (
    <div className="panel">
      <p><Link to="/participate">{t("participation.back")}</Link></p>
      <h1>{localised(data.title, data.translations, language)}</h1>
      {data.description && <p className="lead">{data.description}</p>}
      {data.closes_at && <p className="meta">{t("survey.closes", { date: formatDate(data.closes_at) })}</p>}
      {done ? (
        <p className="notice" role="status">{t("survey.thanks")}</p>
      ) : data.status !== "open" ? (
        <p className="notice">{t("survey.notOpen")}</p>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-labelledby="survey-form-title">
          <h2 id="survey-form-title" className="visually-hidden">{t("survey.answer")}</h2>
          <ErrorSummary errors={errors} />
          {data.sections.map((section, sectionIndex) => (
            <section key={section.id ?? sectionIndex} aria-label={section.title ? localised(section.title, section.translations, language) : undefined}>
              {section.title && <h2>{localised(section.title, section.translations, language)}</h2>}
              {section.questions.filter((question) => isAsked(question, answers, byId)).map((question) => (
                <QuestionInput
                  key={question.id}
                  question={question}
                  value={answers[question.id]}
                  error={errorFor(errors, inputId(question))}
                  onChange={(value) => setAnswers((current) => ({ ...current, [question.id]: value }))}
                />
              ))}
            </section>
          ))}
          <div className="actions">
            <button type="submit" disabled={submit.isPending}>{t("survey.submit")}</button>
          </div>
        </form>
      )}
    </div>
  );
}
