import type { PostsMessages } from "./en";

export default {
  "postEdit.title": "Äre Beitrag änneren",
  "postEdit.edit": "Änneren",
  "postEdit.save": "Ännerunge späicheren",
  "postEdit.cancel": "Zréck bei de Beitrag",
  "postEdit.refused": "Är Ännerunge goufen net gespäichert: {reason}",
  "postEdit.pending": "Gëtt iwwerpréift: e Moderator kuckt dëse Beitrag, ier Är Noperen en erëm gesinn.",
  "postOwner.title": "Äre Beitrag",
  "postOwner.shared": "D’Stad kann dëse Beitrag liesen.",
  "postOwner.notShared": "Nëmmen Är Noperen kënnen dëse Beitrag liesen.",
  "postOwner.share": "Mat der Stad deelen",
  "postOwner.unshare": "Net méi mat der Stad deelen",
  "postOwner.solve": "Als geléist markéieren",
  "postOwner.solved": "Geléist",
  "postOwner.delete": "Beitrag läschen",
  "postOwner.confirmDelete": "Dëse Beitrag mat senge Kommentaren a Merci läschen? Dat kann een net réckgängeg maachen.",
  "postOwner.confirmDeleteYes": "Jo, läschen",
  "postOwner.keep": "Halen",
  "postOwner.failed": "Dat huet net geklappt. Probéiert et gläich nach eng Kéier.",
} satisfies PostsMessages;
