import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";

/** Asks for a reset link. The API answers alike whether the address has an account or not, so
 * the page says the same to everyone. */
export default function ForgotPassword() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FormError[]>([]);
  const request = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/password-reset", { body: { email: email.trim() } })),
    onSuccess: () => setErrors([]),
    onError: (error) =>
      setErrors(formErrorsOf(error, { email: "email" }, t("form.failed"), {
        rate_limited: t("account.forgot.tooMany"), unavailable: t("form.unavailable"),
      })),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim()) return setErrors([{ field: "email", message: t("form.required", { field: t("field.email") }) }]);
    setErrors([]);
    request.mutate();
  }

  return (
    <div className="panel">
      <h1>{t("account.forgot.title")}</h1>
      {request.isSuccess ? (
        <p role="status" className="notice">{t("account.forgot.sent", { email: email.trim() })}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} />
          <p>{t("account.forgot.intro")}</p>
          <TextField id="email" label={t("field.email")} error={errorFor(errors, "email")} type="email"
            value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
          <button type="submit" disabled={request.isPending}>{t("account.forgot.submit")}</button>
        </form>
      )}
    </div>
  );
}
