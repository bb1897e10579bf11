import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useLocation, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { CLIENT_HEADERS } from "../../api/session";
import { useSession } from "../../app/Session";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";

export default function Login() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormError[]>([]);

  const login = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/auth/login", { headers: CLIENT_HEADERS, body: { email: email.trim(), password } })),
    onSuccess: (tokens) => {
      session.signIn(tokens);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from.startsWith("/") ? from : "/feed");
    },
    onError: (error) =>
      setErrors(
        formErrorsOf(error, { email: "email", password: "password" }, t("form.failed"), {
          unauthenticated: t("login.wrong"),
          rate_limited: t("login.locked"),
          unavailable: t("form.unavailable"),
        }),
      ),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: FormError[] = [];
    if (!email.trim()) missing.push({ field: "email", message: t("form.required", { field: t("field.email") }) });
    if (!password) missing.push({ field: "password", message: t("form.required", { field: t("field.password").toLowerCase() }) });
    setErrors(missing);
    if (!missing.length) login.mutate();
  }

  return (
    <div className="panel">
      <h1>{t("login.title")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <TextField id="email" label={t("field.email")} error={errorFor(errors, "email")} type="email"
          value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        <TextField id="password" label={t("field.password")} error={errorFor(errors, "password")} type="password"
          value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
        <button type="submit" disabled={login.isPending}>
          {t("login.submit")}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t("account.forgotLink")}</Link>
      </p>
    </div>
  );
}
