import type { OrganisationMessages } from "./en";

export default {
  "organisations.map": "Karte",
  "organisations.mapLabel": "Ihr Viertel (durchgezogene Linie), die Viertel, denen Sie folgen (gestrichelt), und Organisationen in der Nähe (rote Punkte), unten aufgelistet.",
  "organisations.title": "Organisationen in Ihrem Viertel",
  "organisations.none": "Noch keine Organisation eingetragen.",
} satisfies OrganisationMessages;
