import type { PostsMessages } from "./en";

export default {
  "postEdit.title": "Beitrag bearbeiten",
  "postEdit.edit": "Bearbeiten",
  "postEdit.save": "Änderungen speichern",
  "postEdit.cancel": "Zurück zum Beitrag",
  "postEdit.refused": "Ihre Änderungen wurden nicht gespeichert: {reason}",
  "postEdit.pending": "Wird geprüft: Die Moderation sieht sich diesen Beitrag an, bevor Ihre Nachbarn ihn wieder sehen.",
  "postOwner.title": "Ihr Beitrag",
  "postOwner.shared": "Die Stadt kann diesen Beitrag lesen.",
  "postOwner.notShared": "Nur Ihre Nachbarn können diesen Beitrag lesen.",
  "postOwner.share": "Mit der Stadt teilen",
  "postOwner.unshare": "Nicht mehr mit der Stadt teilen",
  "postOwner.solve": "Als erledigt markieren",
  "postOwner.solved": "Erledigt",
  "postOwner.delete": "Beitrag löschen",
  "postOwner.confirmDelete": "Diesen Beitrag mit seinen Kommentaren und Danksagungen löschen? Das lässt sich nicht rückgängig machen.",
  "postOwner.confirmDeleteYes": "Ja, löschen",
  "postOwner.keep": "Behalten",
  "postOwner.failed": "Das hat nicht geklappt. Versuchen Sie es gleich noch einmal.",
} satisfies PostsMessages;
