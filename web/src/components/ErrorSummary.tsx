import { useEffect, useRef } from "react";
import { useI18n } from "../i18n/I18n";

export type FormError = { field?: string; message: string };

/** GOV.UK error summary: at the top of the form, focused when it appears, each problem a link to
 * its field. */
export function ErrorSummary({ errors }: { errors: FormError[] }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length) box.current?.focus();
  }, [errors]);
  if (!errors.length) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={box}>
      <h2 id="error-summary-title">{t("form.errorSummary")}</h2>
      <ul>
        {errors.map((error, index) => (
          <li key={index}>
            {error.field ? (
              <a
                href={`#${error.field}`}
                onClick={(event) => {
                  event.preventDefault();
                  document.getElementById(error.field!)?.focus();
                }}
              >
                {error.message}
              </a>
            ) : (
              error.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
