import type { ParticipationMessages } from "./en";

export default {
  "nav.participate": "Meedoen",
} satisfies ParticipationMessages;
