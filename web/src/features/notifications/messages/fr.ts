import type { NotificationsMessages } from "./en";

export default {
  "nav.notifications": "Notifications",
  "notifications.unreadCount": "{count} non lues",
  "notifications.title": "Notifications",
  "notifications.empty": "Rien pour l’instant. Les réponses à vos publications, les messages et les annonces de la ville apparaissent ici.",
  "notifications.markAll": "Tout marquer comme lu",
  "notifications.markRead": "Marquer comme lu",
  "notifications.allRead": "Tout est lu.",
  "notifications.unread": "Non lu",
  "notifications.more": "Afficher les notifications plus anciennes",
  "notifications.someone": "Un voisin",
  "notifications.reply": "{name} a commenté votre publication",
  "notifications.chat": "{name} vous a envoyé un message",
  "notifications.announcement": "La ville annonce : {title}",
  "notifications.held": "Un de vos textes attend l’examen d’un modérateur",
  "notifications.hidden": "Un modérateur a masqué un de vos textes",
  "notifications.restored": "Un de vos textes est de nouveau visible",
  "notifications.suspension": "Votre compte est suspendu jusqu’au {date}",
  "notifications.callout": "Votre quartier demande de l’aide : {message}",
  "notifications.open": "Ouvrir",
} satisfies NotificationsMessages;
