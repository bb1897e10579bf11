import type { PostsMessages } from "./en";

export default {
  "postEdit.title": "Uw bericht bewerken",
  "postEdit.edit": "Bewerken",
  "postEdit.save": "Wijzigingen opslaan",
  "postEdit.cancel": "Terug naar het bericht",
  "postEdit.refused": "Uw wijzigingen zijn niet opgeslagen: {reason}",
  "postEdit.pending": "Wacht op beoordeling: een moderator bekijkt dit bericht voordat uw buren het weer zien.",
  "postOwner.title": "Uw bericht",
  "postOwner.shared": "De gemeente kan dit bericht lezen.",
  "postOwner.notShared": "Alleen uw buren kunnen dit bericht lezen.",
  "postOwner.share": "Delen met de gemeente",
  "postOwner.unshare": "Niet meer delen met de gemeente",
  "postOwner.solve": "Markeren als opgelost",
  "postOwner.solved": "Opgelost",
  "postOwner.delete": "Bericht verwijderen",
  "postOwner.confirmDelete": "Dit bericht met de reacties en bedankjes verwijderen? Dit kan niet ongedaan worden gemaakt.",
  "postOwner.confirmDeleteYes": "Ja, verwijderen",
  "postOwner.keep": "Behouden",
  "postOwner.failed": "Dat is niet gelukt. Probeer het zo opnieuw.",
} satisfies PostsMessages;
