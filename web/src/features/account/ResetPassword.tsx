import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";

/** The e-mailed link's page (/reset-password?token=…): choose a new password. The token works
 * once; a used, expired or made-up one gets the same answer, with the way to a new link. */
export default function ResetPassword() {
  const { t } = useI18n();
  const [search] = useSearchParams();
  const token = search.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormError[]>([]);
  const [linkDead, setLinkDead] = useState<string | null>(token ? null : t("account.reset.invalid"));

  const confirm = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } })),
    onError: (error) => {
      const problem = error instanceof ApiProblem ? error.problem : null;
      if (problem?.status === 409) return setLinkDead(t("account.reset.conflict"));
      // 400 names the password when it is the password at fault; otherwise the link is.
      if (problem?.status === 400 && !problem.fields.password) return setLinkDead(t("account.reset.invalid"));
      setErrors(formErrorsOf(error, { password: "new-password" }, t("form.failed"), { unavailable: t("form.unavailable") }));
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) return setErrors([{ field: "new-password", message: t("form.required", { field: t("account.reset.newPassword").toLowerCase() }) }]);
    setErrors([]);
    confirm.mutate();
  }

  return (
    <div className="panel">
      <h1>{t("account.reset.title")}</h1>
      {confirm.isSuccess ? (
        <>
          <p role="status" className="notice">{t("account.reset.done")}</p>
          <Link to="/login" className="button">{t("nav.login")}</Link>
        </>
      ) : linkDead ? (
        <>
          <p role="alert" className="notice">{linkDead}</p>
          <Link to="/forgot-password">{t("account.reset.again")}</Link>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} />
          <TextField id="new-password" label={t("account.reset.newPassword")} hint={t("account.reset.hint")}
            error={errorFor(errors, "new-password")} type="password" value={password}
            onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          <button type="submit" disabled={confirm.isPending}>{t("account.reset.submit")}</button>
        </form>
      )}
    </div>
  );
}
