import type { AccountMessages } from "./en";

export default {
  "account.forgotLink": "Passwort vergessen?",
  "account.forgot.title": "Passwort zurücksetzen",
  "account.forgot.intro": "Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir schicken ihr einen Link, mit dem Sie ein neues Passwort wählen.",
  "account.forgot.submit": "Link zusenden",
  "account.forgot.sent": "Wenn ein Konto {email} verwendet, haben wir ihm einen Link geschickt. Er gilt 30 Minuten. Sehen Sie auch im Spam-Ordner nach.",
  "account.forgot.tooMany": "Zu viele Anfragen. Warten Sie ein paar Minuten und versuchen Sie es erneut.",
  "account.reset.title": "Neues Passwort wählen",
  "account.reset.newPassword": "Neues Passwort",
  "account.reset.hint": "Mindestens 10 Zeichen. Einige Wörter ohne Zusammenhang sind leicht zu merken und schwer zu erraten.",
  "account.reset.submit": "Passwort ändern",
  "account.reset.done": "Ihr Passwort ist geändert und Sie sind überall abgemeldet. Melden Sie sich mit dem neuen Passwort an.",
  "account.reset.invalid": "Dieser Link funktioniert nicht mehr: Er wurde schon benutzt, ist abgelaufen oder unvollständig.",
  "account.reset.conflict": "Ihr Konto hat sich inzwischen geändert. Fordern Sie einen neuen Link an.",
  "account.reset.again": "Neuen Link anfordern",
} satisfies AccountMessages;
