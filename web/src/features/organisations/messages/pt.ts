import type { OrganisationMessages } from "./en";

export default {
  "organisations.map": "Mapa",
  "organisations.mapLabel": "O seu bairro (linha contínua), os que segue (tracejado) e as organizações próximas (pontos vermelhos), listadas abaixo.",
  "organisations.title": "Organizações do seu bairro",
  "organisations.none": "Ainda não há organizações registadas.",
} satisfies OrganisationMessages;
