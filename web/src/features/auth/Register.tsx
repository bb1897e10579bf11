import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { CLIENT_HEADERS } from "../../api/session";
import { useSession } from "../../app/Session";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";

const FIELDS = { invitation_code: "code", email: "email", password: "password", display_name: "name" };

export default function Register() {
  const { t, language } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({
    code: params.get("code") ?? "",
    email: "",
    password: "",
    name: "",
  });
  const [errors, setErrors] = useState<FormError[]>([]);

  const register = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/auth/register", {
          headers: CLIENT_HEADERS,
          body: {
            invitation_code: form.code.trim(),
            email: form.email.trim(),
            password: form.password,
            display_name: form.name.trim(),
            language,
          },
        }),
      ),
    onSuccess: (tokens) => {
      session.signIn(tokens);
      navigate("/feed");
    },
    onError: (error) =>
      setErrors(
        formErrorsOf(error, FIELDS, t("form.failed"), {
          conflict: t("register.codeUsed"),
          unprocessable: t("register.codeInvalid"),
          rate_limited: t("register.tooMany"),
          unavailable: t("form.unavailable"),
        }),
      ),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: FormError[] = [];
    const labels = { code: t("field.code"), email: t("field.email"), password: t("field.password"), name: t("field.name") };
    for (const [field, label] of Object.entries(labels)) {
      if (!form[field as keyof typeof form].trim()) {
        missing.push({ field, message: t("form.required", { field: label.toLowerCase() }) });
      }
    }
    setErrors(missing);
    if (!missing.length) register.mutate();
  }

  const set = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });

  return (
    <div className="panel">
      <h1>{t("register.title")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <TextField id="code" label={t("field.code")} hint={t("field.code.hint")} error={errorFor(errors, "code")}
          value={form.code} onChange={set("code")} autoComplete="off" autoCapitalize="characters" spellCheck={false} />
        <TextField id="email" label={t("field.email")} error={errorFor(errors, "email")} type="email"
          value={form.email} onChange={set("email")} autoComplete="email" />
        <TextField id="password" label={t("field.password")} hint={t("field.password.hint")}
          error={errorFor(errors, "password")} type="password" value={form.password}
          onChange={set("password")} autoComplete="new-password" />
        <TextField id="name" label={t("field.name")} hint={t("field.name.hint")} error={errorFor(errors, "name")}
          value={form.name} onChange={set("name")} autoComplete="name" />
        <button type="submit" disabled={register.isPending}>
          {t("register.submit")}
        </button>
      </form>
    </div>
  );
}
