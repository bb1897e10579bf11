import type { OrganisationMessages } from "./en";

export default {
  "organisations.map": "Carte",
  "organisations.mapLabel": "Votre quartier (trait plein), ceux que vous suivez (pointillés) et les organisations proches (points rouges), listées ci-dessous.",
  "organisations.title": "Organisations de votre quartier",
  "organisations.none": "Aucune organisation n’est encore répertoriée.",
} satisfies OrganisationMessages;
