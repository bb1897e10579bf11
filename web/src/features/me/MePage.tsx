import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../app/Session";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { LANGUAGES, NATIVE_NAMES, isLanguage, type Language } from "../../i18n/languages";

function download(name: string, document: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }));
  const link = Object.assign(window.document.createElement("a"), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function MePage() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api.GET("/api/v1/me")) });
  const [name, setName] = useState<string | null>(null);
  const [language, setLanguage] = useState<Language | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [confirming, setConfirming] = useState(false);

  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PATCH("/api/v1/me", {
        body: { display_name: (name ?? me.data?.display_name ?? "").trim(), language: language ?? (me.data?.language as Language) },
      })),
    onSuccess: (profile) => {
      setErrors([]);
      session.updateUser(profile);
      me.refetch();
    },
    onError: (error) => setErrors(formErrorsOf(error, { display_name: "name" }, t("form.failed"))),
  });
  const exportData = useMutation({
    mutationFn: async () => unwrap(await api.GET("/api/v1/me/export")),
    onSuccess: (document) => download("quartier-export.json", document),
  });
  const erase = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/me")),
    onSuccess: async () => {
      // Leave the signed-in screens first, so the landing page (not the login) says it is done.
      navigate("/", { state: { deleted: true } });
      await session.signOut();
    },
  });

  if (me.isPending) return <p role="status">{t("app.loading")}</p>;
  if (me.isError) return <p role="alert">{t("form.unavailable")}</p>;
  const profile = me.data;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!(name ?? profile.display_name ?? "").trim()) {
      return setErrors([{ field: "name", message: t("form.required", { field: t("field.name").toLowerCase() }) }]);
    }
    save.mutate();
  }

  return (
    <div className="panel">
      <h1>{t("me.title")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} />
        <TextField id="name" label={t("field.name")} value={name ?? profile.display_name ?? ""} onChange={(e) => setName(e.target.value)}
          error={errorFor(errors, "name")} autoComplete="name" />
        <p>{t("field.email")}: {profile.email}</p>
        {profile.street && <p>{t("me.street")}: {profile.street}</p>}
        <div className="field">
          <label htmlFor="profile-language">{t("language.label")}</label>
          <select id="profile-language" value={language ?? profile.language ?? "en"}
            onChange={(e) => isLanguage(e.target.value) && setLanguage(e.target.value)}>
            {LANGUAGES.map((code) => <option key={code} value={code} lang={code}>{NATIVE_NAMES[code]}</option>)}
          </select>
        </div>
        <button type="submit" disabled={save.isPending}>{t("me.save")}</button>
        {save.isSuccess && <p role="status">{t("me.saved")}</p>}
      </form>
      <section aria-labelledby="export-title">
        <h2 id="export-title">{t("me.export")}</h2>
        <p>{t("me.exportHint")}</p>
        <button type="button" className="secondary" onClick={() => exportData.mutate()} disabled={exportData.isPending}>{t("me.export")}</button>
        {exportData.isError && <p role="alert" className="error-message">{t("form.unavailable")}</p>}
      </section>
      <section aria-labelledby="delete-title">
        <h2 id="delete-title">{t("me.delete")}</h2>
        <p>{t("me.deleteHint")}</p>
        {confirming ? (
          <button type="button" className="warning" onClick={() => erase.mutate()} disabled={erase.isPending}>{t("me.deleteConfirm")}</button>
        ) : (
          <button type="button" className="warning" onClick={() => setConfirming(true)}>{t("me.delete")}</button>
        )}
        {erase.isError && <p role="alert" className="error-message">{t("form.unavailable")}</p>}
      </section>
    </div>
  );
}
