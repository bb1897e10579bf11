import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";

export type Incident = {
  id: string;
  category: string;
  text: string;
  status: string;
  reason?: string | null;
  location: { latitude: number; longitude: number; description?: string | null };
  history: { status: string; reason?: string | null; at: string }[];
  created_at: string;
};

export default function IncidentsPage() {
  const { t, formatDate } = useI18n();
  const incidents = useQuery({
    queryKey: ["incidents"],
    queryFn: async () => (unwrap(await api.GET("/api/v1/incidents", { params: { query: { limit: 50 } } })).items ?? []) as unknown as Incident[],
  });
  return (
    <div className="panel">
      <h1>{t("incident.mine")}</h1>
      <p className="lead">{t("incident.intro")}</p>
      <p><Link className="button" to="/incidents/new">{t("incident.report")}</Link></p>
      {incidents.isPending && <p role="status">{t("app.loading")}</p>}
      {incidents.isError && <p role="alert">{t("form.unavailable")}</p>}
      {incidents.isSuccess && incidents.data.length === 0 && <p>{t("incident.none")}</p>}
      <ul className="post-list">
        {(incidents.data ?? []).map((incident) => (
          <li key={incident.id} className="card">
            <h2 className="card-title">
              <Link to={`/incidents/${incident.id}`}>{t(`incident.category.${incident.category}` as "incident.category.road")}</Link>
            </h2>
            <p className="card-body">{incident.text}</p>
            <p className="meta">
              <span className="chip">{t(`incident.status.${incident.status}` as "incident.status.received")}</span> · {formatDate(incident.created_at)}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
