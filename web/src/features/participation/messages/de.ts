import type { ParticipationMessages } from "./en";

export default {
  "nav.participate": "Mitmachen",
} satisfies ParticipationMessages;
