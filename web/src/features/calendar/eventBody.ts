// Pure: the create form's draft as the API's body, and the commercial refusal's reasons as
// messages beside the fields they concern.

export type EventDraft = { title: string; starts_at: string; ends_at: string; place: string; description: string; small_fee: boolean };
export type Reason = { rule?: string; message?: string; matched?: string[] };

/** datetime-local has no zone: the reader's local time goes out as an instant. */
export function eventBody(draft: EventDraft) {
  const body = {
    title: draft.title.trim(), place: draft.place.trim(), small_fee: draft.small_fee,
    starts_at: new Date(draft.starts_at).toISOString(), ends_at: new Date(draft.ends_at).toISOString(),
  };
  return draft.description.trim() ? { ...body, description: draft.description.trim() } : body;
}

/** Each reason beside the control it is about: fee rules by the small-contribution box, words
 * that read as an advert by the description (where they usually are). */
export function fieldOfReason(rule: string | undefined): "small_fee" | "description" {
  return rule === "fee_without_small_fee_flag" || rule === "fee_above_small_fee" ? "small_fee" : "description";
}
