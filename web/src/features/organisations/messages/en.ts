// The organisations and map area's English messages: every key it uses.
// The other catalogues here have the same keys (the type check enforces it).
const en = {
  "organisations.map": "Map",
  "organisations.mapLabel": "Your neighbourhood (solid line), those you follow (dashed) and the organisations near you (red dots), listed below.",
  "organisations.title": "Organisations in your neighbourhood",
  "organisations.none": "No organisation is listed yet.",
};

export type OrganisationKey = keyof typeof en;
export type OrganisationMessages = Record<OrganisationKey, string>;
export default en satisfies OrganisationMessages;
