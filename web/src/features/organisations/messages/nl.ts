import type { OrganisationMessages } from "./en";

export default {
  "organisations.map": "Kaart",
  "organisations.mapLabel": "Je buurt (doorgetrokken lijn), de buurten die je volgt (stippellijn) en organisaties in de buurt (rode stippen), hieronder opgesomd.",
  "organisations.title": "Organisaties in je buurt",
  "organisations.none": "Er staat nog geen organisatie vermeld.",
} satisfies OrganisationMessages;
