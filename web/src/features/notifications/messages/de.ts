import type { NotificationsMessages } from "./en";

export default {
  "nav.notifications": "Benachrichtigungen",
  "notifications.unreadCount": "{count} ungelesen",
  "notifications.title": "Benachrichtigungen",
  "notifications.empty": "Noch nichts. Antworten auf Ihre Beiträge, Nachrichten und Mitteilungen der Stadt erscheinen hier.",
  "notifications.markAll": "Alle als gelesen markieren",
  "notifications.markRead": "Als gelesen markieren",
  "notifications.allRead": "Alles ist gelesen.",
  "notifications.unread": "Ungelesen",
  "notifications.more": "Ältere Benachrichtigungen anzeigen",
  "notifications.someone": "Jemand aus der Nachbarschaft",
  "notifications.reply": "{name} hat Ihren Beitrag kommentiert",
  "notifications.chat": "{name} hat Ihnen eine Nachricht geschickt",
  "notifications.announcement": "Die Stadt teilt mit: {title}",
  "notifications.held": "Ein Text von Ihnen wartet auf die Prüfung durch die Moderation",
  "notifications.hidden": "Die Moderation hat einen Text von Ihnen ausgeblendet",
  "notifications.restored": "Ein Text von Ihnen ist wieder sichtbar",
  "notifications.suspension": "Ihr Konto ist bis {date} gesperrt",
  "notifications.callout": "Ihre Nachbarschaft bittet um Hilfe: {message}",
  "notifications.open": "Öffnen",
} satisfies NotificationsMessages;
