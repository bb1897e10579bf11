import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { useUpcomingEvents, type CalendarEvent } from "./useEvents";

type Answer = "going" | "not_going";

function EventCard({ event }: { event: CalendarEvent }) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const [closed, setClosed] = useState(false);
  const rsvp = useMutation({
    mutationFn: async (response: Answer) =>
      unwrap(await api.PUT("/api/v1/events/{event_id}/rsvp", { params: { path: { event_id: event.id! } }, body: { response } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["events", event.neighbourhood_id] }),
    onError: (error) => setClosed(error instanceof ApiProblem && error.problem.status === 409),
  });
  const cancelled = event.status === "cancelled";
  const counts = event.rsvp_counts ?? {};
  const titleId = `event-${event.id}-title`;
  return (
    <li className="card">
      <p className="chip">{event.neighbourhoodName}</p>
      <h3 className="card-title" id={titleId}>{event.title}</h3>
      {cancelled && <p className="notice">{t("calendar.cancelled")}</p>}
      <p className="meta">{t("calendar.when", { start: formatDate(event.starts_at), end: formatDate(event.ends_at) })}</p>
      <p className="meta">{t("calendar.where", { place: event.place ?? "" })}</p>
      <p className="meta">
        {event.organised_by_me ? t("calendar.byYou") : t("calendar.organiser", { name: event.organiser?.first_name ?? "" })}
      </p>
      {event.description && <p className="card-body">{event.description}</p>}
      <p aria-live="polite">{t("calendar.counts", { going: counts.going ?? 0, notGoing: counts.not_going ?? 0 })}</p>
      {closed && <p role="alert">{t("calendar.closed")}</p>}
      {!cancelled && (
        <div className="actions" role="group" aria-label={t("calendar.yourAnswer", { title: event.title ?? "" })}>
          {(["going", "not_going"] as const).map((answer) => (
            <button key={answer} type="button" className="secondary" aria-pressed={event.my_rsvp === answer}
              disabled={rsvp.isPending} onClick={() => rsvp.mutate(answer)}>
              {t(answer === "going" ? "calendar.going" : "calendar.notGoing")}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

export default function CalendarPage() {
  const { t } = useI18n();
  const upcoming = useUpcomingEvents();
  return (
    <div className="panel">
      <div className="feed-head">
        <h1>{t("calendar.title")}</h1>
        <Link to="/calendar/new" className="button">{t("calendar.new")}</Link>
      </div>
      <p className="hint">{t("calendar.intro")}</p>
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">{t("calendar.upcoming")}</h2>
        {upcoming.isError && <p role="alert">{t("form.unavailable")}</p>}
        {upcoming.isPending ? (
          <p role="status">{t("app.loading")}</p>
        ) : (
          upcoming.events.length === 0 && <p>{t("calendar.empty")}</p>
        )}
        <ul className="post-list">
          {upcoming.events.map((event) => <EventCard key={event.id} event={event} />)}
        </ul>
      </section>
    </div>
  );
}
