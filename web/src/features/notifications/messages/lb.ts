import type { NotificationsMessages } from "./en";

export default {
  "nav.notifications": "Notifikatiounen",
  "notifications.unreadCount": "{count} net gelies",
  "notifications.title": "Notifikatiounen",
  "notifications.empty": "Nach näischt. Äntwerten op Är Beiträg, Messagen an d’Matdeelunge vun der Stad erschéngen hei.",
  "notifications.markAll": "Alles als gelies markéieren",
  "notifications.markRead": "Als gelies markéieren",
  "notifications.allRead": "Alles ass gelies.",
  "notifications.unread": "Net gelies",
  "notifications.more": "Méi al Notifikatiounen weisen",
  "notifications.someone": "En Noper",
  "notifications.reply": "{name} huet Äre Beitrag kommentéiert",
  "notifications.chat": "{name} huet Iech e Message geschéckt",
  "notifications.announcement": "D’Stad deelt mat: {title}",
  "notifications.held": "En Text vun Iech waart op d’Iwwerpréiwung vun engem Moderator",
  "notifications.hidden": "E Moderator huet en Text vun Iech verstoppt",
  "notifications.restored": "En Text vun Iech ass nees ze gesinn",
  "notifications.suspension": "Äre Kont ass bis de(n) {date} gespaart",
  "notifications.callout": "Äert Quartier freet no Hëllef: {message}",
  "notifications.open": "Opmaachen",
} satisfies NotificationsMessages;
