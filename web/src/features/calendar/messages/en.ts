// The calendar area's English messages: every key the area uses. The other catalogues here have
// the same keys (the type check enforces it).
const en = {
  "nav.calendar": "Calendar",
  "calendar.title": "Calendar",
  "calendar.intro": "What is on in your neighbourhood and in those you follow.",
  "calendar.new": "New event",
  "calendar.upcoming": "Upcoming events",
  "calendar.empty": "No upcoming event yet.",
  "calendar.when": "{start} to {end}",
  "calendar.where": "Where: {place}",
  "calendar.organiser": "Organised by {name}",
  "calendar.byYou": "Organised by you",
  "calendar.cancelled": "Cancelled",
  "calendar.counts": "{going} going · {notGoing} not going",
  "calendar.yourAnswer": "Your answer for {title}",
  "calendar.going": "Going",
  "calendar.notGoing": "Not going",
  "calendar.closed": "This event takes no more answers.",
  "calendar.form.title": "New event",
  "calendar.form.intro": "Neighbourhood events only: no adverts, no sales.",
  "calendar.field.title": "Title",
  "calendar.field.startsAt": "Starts",
  "calendar.field.endsAt": "Ends",
  "calendar.field.endsAt.hint": "At most 14 days after the start.",
  "calendar.field.place": "Place",
  "calendar.field.place.hint": "As people say it, for example “the playground, rue Haute”.",
  "calendar.field.description": "Description",
  "calendar.field.smallFee": "We ask a small contribution (at most 10 €)",
  "calendar.submit": "Add to the calendar",
  "calendar.tooMany": "You already have 10 upcoming events. Wait until one has taken place.",
  "calendar.followedOnly": "You can add events to your own neighbourhood only.",
  "calendar.reason.price_with_sales_words": "A price together with sales words reads as an advert: {matched}",
  "calendar.reason.fee_above_small_fee": "A fee above 10 € makes it a commercial event: {matched}",
  "calendar.reason.fee_without_small_fee_flag": "The event asks for money ({matched}): tick the small contribution box, or remove the amount.",
  "calendar.reason.other": "Refused as commercial: {message}",
  "calendar.endBeforeStart": "The end must be after the start",
};

export type CalendarKey = keyof typeof en;
export type CalendarMessages = Record<CalendarKey, string>;
export default en satisfies CalendarMessages;
