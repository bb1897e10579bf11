import type { NotificationsMessages } from "./en";

export default {
  "nav.notifications": "Meldingen",
  "notifications.unreadCount": "{count} ongelezen",
  "notifications.title": "Meldingen",
  "notifications.empty": "Nog niets. Reacties op uw berichten, chatberichten en aankondigingen van de gemeente verschijnen hier.",
  "notifications.markAll": "Alles als gelezen markeren",
  "notifications.markRead": "Als gelezen markeren",
  "notifications.allRead": "Alles is gelezen.",
  "notifications.unread": "Ongelezen",
  "notifications.more": "Oudere meldingen tonen",
  "notifications.someone": "Een buur",
  "notifications.reply": "{name} heeft op uw bericht gereageerd",
  "notifications.chat": "{name} heeft u een bericht gestuurd",
  "notifications.announcement": "De gemeente meldt: {title}",
  "notifications.held": "Iets wat u schreef wacht op beoordeling door een moderator",
  "notifications.hidden": "Een moderator heeft iets wat u schreef verborgen",
  "notifications.restored": "Iets wat u schreef is weer zichtbaar",
  "notifications.suspension": "Uw account is geschorst tot {date}",
  "notifications.callout": "Uw buurt vraagt om hulp: {message}",
  "notifications.open": "Openen",
} satisfies NotificationsMessages;
