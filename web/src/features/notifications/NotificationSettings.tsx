import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import type { operations } from "../../api/schema";
import { currentPushState, turnPushOff, turnPushOn, type PushState } from "./push";

type Settings = operations["get_notification_settings"]["responses"]["200"]["content"]["application/json"];
type Channels = NonNullable<Settings["channels"]>;
type Kind = keyof Channels;
const KINDS: Kind[] = ["urgent_announcement", "announcement", "reply", "chat_message", "survey_published", "budget_voting",
  "incident_status", "initiative_update", "callout", "moderation_outcome"];
const CHANNELS = ["in_app", "email", "push"] as const;
const DIGESTS = ["none", "daily", "weekly"] as const;
const CHANNEL_LABEL = { in_app: "settings.inApp", email: "settings.email", push: "settings.push" } as const;

function PushSwitch() {
  const { t } = useI18n();
  const [state, setState] = useState<PushState | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    currentPushState().then(setState, () => setState("unsupported"));
  }, []);
  const toggle = useMutation({
    mutationFn: () => (state === "on" ? turnPushOff() : turnPushOn()),
    onSuccess: (next) => { setFailed(false); setState(next); },
    onError: () => setFailed(true),
  });
  if (!state) return null;
  const said = { unsupported: "settings.pushUnsupported", denied: "settings.pushDenied", on: "settings.pushOn", off: "settings.pushOff" } as const;
  return (
    <section aria-labelledby="push-title">
      <h2 id="push-title">{t("settings.pushTitle")}</h2>
      <p role="status">{t(said[state])}</p>
      {(state === "on" || state === "off") && (
        <button type="button" className="secondary" disabled={toggle.isPending} onClick={() => toggle.mutate()}>
          {state === "on" ? t("settings.pushDisable") : t("settings.pushEnable")}
        </button>
      )}
      {failed && <p role="alert" className="error-message">{t("settings.pushFailed")}</p>}
    </section>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [channels, setChannels] = useState<Channels>(settings.channels ?? {});
  const [digest, setDigest] = useState(settings.digest ?? "none");
  const [quiet, setQuiet] = useState(Boolean(settings.quiet_hours));
  const [from, setFrom] = useState(settings.quiet_hours?.start ?? "22:00");
  const [until, setUntil] = useState(settings.quiet_hours?.end ?? "07:00");
  const [errors, setErrors] = useState<FormError[]>([]);
  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT("/api/v1/me/notification-settings", {
        body: {
          channels, digest,
          // Quiet hours are in the reader's local time: the offset travels with them.
          quiet_hours: quiet ? { start: from, end: until, utc_offset_minutes: -new Date().getTimezoneOffset() } : null,
        },
      })),
    onSuccess: (saved) => { setErrors([]); client.setQueryData(["notification-settings"], saved); },
    onError: (error) => setErrors(formErrorsOf(error, {}, t("form.failed"), { unavailable: t("form.unavailable") })),
  });
  const set = (kind: Kind, channel: (typeof CHANNELS)[number], value: boolean) =>
    setChannels({ ...channels, [kind]: { ...channels[kind], [channel]: value } });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} />
      {KINDS.map((kind) => (
        <fieldset key={kind} className="channels">
          <legend>{t(`settings.kind.${kind}`)}</legend>
          {CHANNELS.map((channel) => (
            <div className="radio" key={channel}>
              <input type="checkbox" id={`${kind}-${channel}`} checked={Boolean(channels[kind]?.[channel])}
                onChange={(e) => set(kind, channel, e.target.checked)} />
              <label htmlFor={`${kind}-${channel}`}>{t(CHANNEL_LABEL[channel])}</label>
            </div>
          ))}
        </fieldset>
      ))}
      <fieldset>
        <legend>{t("settings.digest")}</legend>
        {DIGESTS.map((name) => (
          <div className="radio" key={name}>
            <input type="radio" id={`digest-${name}`} name="digest" checked={digest === name} onChange={() => setDigest(name)} />
            <label htmlFor={`digest-${name}`}>{t(`settings.digest.${name}`)}</label>
          </div>
        ))}
      </fieldset>
      <div className="radio">
        <input type="checkbox" id="quiet" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
        <label htmlFor="quiet">{t("settings.quiet")}</label>
      </div>
      {quiet && (
        <div className="field field--inline quiet-hours">
          <label htmlFor="quiet-from">{t("settings.quietFrom")}</label>
          <input id="quiet-from" type="time" value={from} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor="quiet-until">{t("settings.quietUntil")}</label>
          <input id="quiet-until" type="time" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
      )}
      <div className="actions">
        <button type="submit" disabled={save.isPending}>{t("settings.save")}</button>
        {save.isSuccess && <p role="status">{t("settings.saved")}</p>}
      </div>
    </form>
  );
}

export default function NotificationSettings() {
  const { t } = useI18n();
  const settings = useQuery({
    queryKey: ["notification-settings"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/notification-settings")),
  });
  return (
    <div className="panel">
      <Link to="/notifications">{t("notifications.title")}</Link>
      <h1>{t("settings.title")}</h1>
      <p>{t("settings.intro")}</p>
      {settings.isPending && <p role="status">{t("app.loading")}</p>}
      {settings.isError && <p role="alert">{t("form.unavailable")}</p>}
      {settings.isSuccess && <SettingsForm settings={settings.data} />}
      <PushSwitch />
    </div>
  );
}
