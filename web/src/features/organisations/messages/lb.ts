import type { OrganisationMessages } from "./en";

export default {
  "organisations.map": "Kaart",
  "organisations.mapLabel": "Äre Quartier (duerchgezunne Linn), déi, deenen Dir follegt (gestrachelt), an d’Organisatiounen an der Géigend (rout Punkten), hei ënnendrënner opgelëscht.",
  "organisations.title": "Organisatiounen an Ärem Quartier",
  "organisations.none": "Nach keng Organisatioun agedroen.",
} satisfies OrganisationMessages;
