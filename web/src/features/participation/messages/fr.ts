import type { ParticipationMessages } from "./en";

export default {
  "nav.participate": "Participer",
} satisfies ParticipationMessages;
