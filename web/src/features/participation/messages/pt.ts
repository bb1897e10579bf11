import type { ParticipationMessages } from "./en";

export default {
  "nav.participate": "Participar",
} satisfies ParticipationMessages;
