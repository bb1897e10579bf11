import type { AccountMessages } from "./en";

export default {
  "account.forgotLink": "Wachtwoord vergeten?",
  "account.forgot.title": "Uw wachtwoord opnieuw instellen",
  "account.forgot.intro": "Vul het e-mailadres van uw account in. We sturen er een link naartoe om een nieuw wachtwoord te kiezen.",
  "account.forgot.submit": "Stuur mij een link",
  "account.forgot.sent": "Als een account {email} gebruikt, hebben we er een link naartoe gestuurd. Die werkt 30 minuten. Kijk ook in uw spammap.",
  "account.forgot.tooMany": "Te veel verzoeken. Wacht een paar minuten en probeer het opnieuw.",
  "account.reset.title": "Kies een nieuw wachtwoord",
  "account.reset.newPassword": "Nieuw wachtwoord",
  "account.reset.hint": "Minstens 10 tekens. Een paar losse woorden zijn makkelijk te onthouden en moeilijk te raden.",
  "account.reset.submit": "Wachtwoord wijzigen",
  "account.reset.done": "Uw wachtwoord is gewijzigd en u bent overal afgemeld. Log in met uw nieuwe wachtwoord.",
  "account.reset.invalid": "Deze link werkt niet meer: hij is al gebruikt, verlopen of onvolledig.",
  "account.reset.conflict": "Uw account is intussen gewijzigd. Vraag een nieuwe link aan.",
  "account.reset.again": "Een nieuwe link aanvragen",
} satisfies AccountMessages;
