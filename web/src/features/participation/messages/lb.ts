import type { ParticipationMessages } from "./en";

export default {
  "nav.participate": "Matmaachen",
} satisfies ParticipationMessages;
