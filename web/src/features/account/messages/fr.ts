import type { AccountMessages } from "./en";

export default {
  "account.forgotLink": "Mot de passe oublié ?",
  "account.forgot.title": "Réinitialiser votre mot de passe",
  "account.forgot.intro": "Saisissez l’adresse e-mail de votre compte. Nous y enverrons un lien pour choisir un nouveau mot de passe.",
  "account.forgot.submit": "M’envoyer un lien",
  "account.forgot.sent": "Si un compte utilise {email}, nous lui avons envoyé un lien. Il est valable 30 minutes. Regardez aussi dans vos indésirables.",
  "account.forgot.tooMany": "Trop de demandes. Attendez quelques minutes et réessayez.",
  "account.reset.title": "Choisir un nouveau mot de passe",
  "account.reset.newPassword": "Nouveau mot de passe",
  "account.reset.hint": "Au moins 10 caractères. Quelques mots sans rapport sont faciles à retenir et difficiles à deviner.",
  "account.reset.submit": "Changer le mot de passe",
  "account.reset.done": "Votre mot de passe est changé et vous êtes déconnecté partout. Connectez-vous avec le nouveau mot de passe.",
  "account.reset.invalid": "Ce lien ne fonctionne plus : il a déjà servi, il a expiré ou il est incomplet.",
  "account.reset.conflict": "Votre compte a changé entre-temps. Demandez un nouveau lien.",
  "account.reset.again": "Demander un nouveau lien",
} satisfies AccountMessages;
