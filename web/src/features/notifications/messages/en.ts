// The notifications area's English messages: every key the area uses. The other catalogues here
// have the same keys (the type check enforces it).
const en = {
  "nav.notifications": "Notifications",
  "notifications.unreadCount": "{count} unread",
  "notifications.title": "Notifications",
  "notifications.empty": "Nothing yet. Replies to your posts, messages and the city's announcements appear here.",
  "notifications.markAll": "Mark all as read",
  "notifications.markRead": "Mark as read",
  "notifications.allRead": "Everything is read.",
  "notifications.unread": "Unread",
  "notifications.more": "Show older notifications",
  "notifications.someone": "A neighbour",
  "notifications.reply": "{name} commented on your post",
  "notifications.chat": "{name} sent you a message",
  "notifications.announcement": "The city announced: {title}",
  "notifications.held": "Something you wrote is waiting for a moderator's review",
  "notifications.hidden": "A moderator hid something you wrote",
  "notifications.restored": "Something you wrote is visible again",
  "notifications.suspension": "Your account is suspended until {date}",
  "notifications.callout": "Your neighbourhood asks for help: {message}",
  "notifications.open": "Open",
};

export type NotificationsKey = keyof typeof en;
export type NotificationsMessages = Record<NotificationsKey, string>;
export default en satisfies NotificationsMessages;
