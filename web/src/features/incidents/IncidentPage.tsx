import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import "./incidents.css";
import type { Incident } from "./IncidentsPage";

export default function IncidentPage() {
  const { incidentId = "" } = useParams();
  const { t, formatDate, language } = useI18n();
  const degrees = new Intl.NumberFormat(language, { maximumFractionDigits: 5 });
  const incident = useQuery({
    queryKey: ["incident", incidentId],
    queryFn: async () => unwrap(await api.GET("/api/v1/incidents/{incident_id}", { params: { path: { incident_id: incidentId } } })) as unknown as Incident,
  });
  if (incident.isPending) return <p role="status">{t("app.loading")}</p>;
  if (incident.isError) return <p role="alert">{t("incident.notFound")}</p>;
  const data = incident.data;
  const status = (value: string) => t(`incident.status.${value}` as "incident.status.received");
  return (
    <div className="panel">
      <p><Link to="/incidents">{t("incident.mine")}</Link></p>
      <h1>{t(`incident.category.${data.category}` as "incident.category.road")}</h1>
      <p className="lead">{t("incident.statusNow", { status: status(data.status) })}</p>
      {data.reason && <p>{t("incident.reason", { reason: data.reason })}</p>}
      <p className="post-body">{data.text}</p>
      <p className="meta">
        {t("incident.point", { latitude: degrees.format(data.location.latitude), longitude: degrees.format(data.location.longitude) })}
        {data.location.description ? ` · ${data.location.description}` : ""}
      </p>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("incident.history")}</h2>
        <ol className="history">
          {data.history.map((change, index) => (
            <li key={index}>
              <strong>{status(change.status)}</strong> · <time dateTime={change.at}>{formatDate(change.at)}</time>
              {change.reason ? ` · ${change.reason}` : ""}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
