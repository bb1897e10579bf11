import type { NotificationsMessages } from "./en";

export default {
  "nav.notifications": "Notificações",
  "notifications.unreadCount": "{count} por ler",
  "notifications.title": "Notificações",
  "notifications.empty": "Ainda nada. As respostas às suas publicações, as mensagens e os avisos da cidade aparecem aqui.",
  "notifications.markAll": "Marcar tudo como lido",
  "notifications.markRead": "Marcar como lida",
  "notifications.allRead": "Está tudo lido.",
  "notifications.unread": "Por ler",
  "notifications.more": "Mostrar notificações mais antigas",
  "notifications.someone": "Um vizinho",
  "notifications.reply": "{name} comentou a sua publicação",
  "notifications.chat": "{name} enviou-lhe uma mensagem",
  "notifications.announcement": "A cidade anuncia: {title}",
  "notifications.held": "Um texto seu aguarda a revisão de um moderador",
  "notifications.hidden": "Um moderador ocultou um texto seu",
  "notifications.restored": "Um texto seu está de novo visível",
  "notifications.suspension": "A sua conta está suspensa até {date}",
  "notifications.callout": "O seu bairro pede ajuda: {message}",
  "notifications.open": "Abrir",
} satisfies NotificationsMessages;
