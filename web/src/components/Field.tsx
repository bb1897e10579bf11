import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

type Common = { id: string; label: string; hint?: string; error?: string };

function Described({ id, label, hint, error, children }: Common & { children: ReactNode }) {
  return (
    <div className={error ? "field field--error" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
      {children}
    </div>
  );
}

function describedBy({ id, hint, error }: Common): string | undefined {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** A native input with its label above it, its hint and its error tied to it for screen
 * readers (GOV.UK pattern). */
export function TextField(props: Common & InputHTMLAttributes<HTMLInputElement>) {
  const { id, label, hint, error, ...input } = props;
  return (
    <Described {...{ id, label, hint, error }}>
      <input
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(props)}
        {...input}
      />
    </Described>
  );
}

export function TextArea(props: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { id, label, hint, error, ...area } = props;
  return (
    <Described {...{ id, label, hint, error }}>
      <textarea
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(props)}
        rows={5}
        {...area}
      />
    </Described>
  );
}

export function SelectField(
  props: Common & SelectHTMLAttributes<HTMLSelectElement> & { options: [string, string][] },
) {
  const { id, label, hint, error, options, ...select } = props;
  return (
    <Described {...{ id, label, hint, error }}>
      <select id={id} name={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(props)} {...select}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Described>
  );
}
