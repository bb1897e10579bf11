import type { AccountMessages } from "./en";

export default {
  "account.forgotLink": "Esqueceu-se da palavra-passe?",
  "account.forgot.title": "Redefinir a palavra-passe",
  "account.forgot.intro": "Escreva o endereço de e-mail da sua conta. Enviamos-lhe uma ligação para escolher uma nova palavra-passe.",
  "account.forgot.submit": "Enviar-me uma ligação",
  "account.forgot.sent": "Se alguma conta usar {email}, enviámos-lhe uma ligação. É válida durante 30 minutos. Veja também a pasta de spam.",
  "account.forgot.tooMany": "Demasiados pedidos. Espere alguns minutos e tente de novo.",
  "account.reset.title": "Escolher uma nova palavra-passe",
  "account.reset.newPassword": "Nova palavra-passe",
  "account.reset.hint": "Pelo menos 10 caracteres. Algumas palavras sem relação são fáceis de lembrar e difíceis de adivinhar.",
  "account.reset.submit": "Mudar a palavra-passe",
  "account.reset.done": "A sua palavra-passe foi mudada e a sua sessão terminou em todo o lado. Entre com a nova palavra-passe.",
  "account.reset.invalid": "Esta ligação já não funciona: já foi usada, expirou ou está incompleta.",
  "account.reset.conflict": "A sua conta mudou entretanto. Peça uma nova ligação.",
  "account.reset.again": "Pedir uma nova ligação",
} satisfies AccountMessages;
