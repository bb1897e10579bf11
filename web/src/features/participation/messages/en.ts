// The participation area's English messages: every key the area uses. The other catalogues here
// have the same keys (the type check enforces it).
const en = {
  "nav.participate": "Take part",
};

export type ParticipationKey = keyof typeof en;
export type ParticipationMessages = Record<ParticipationKey, string>;
export default en satisfies ParticipationMessages;
