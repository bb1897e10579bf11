import { Link, useLocation } from "react-router";
import { useSession } from "../../app/Session";
import { LanguagePicker, useI18n } from "../../i18n/I18n";

export function Landing() {
  const { t } = useI18n();
  const session = useSession();
  const deleted = (useLocation().state as { deleted?: boolean } | null)?.deleted;
  return (
    <div className="panel landing">
      {deleted && (
        <p role="status" className="notice">
          {t("me.deleted")}
        </p>
      )}
      <h1>{t("landing.title")}</h1>
      <p className="lead">{t("landing.intro")}</p>
      <LanguagePicker />
      {session.status === "signed-in" ? (
        <Link className="button" to="/feed">
          {t("landing.toFeed")}
        </Link>
      ) : (
        <div className="actions">
          <Link className="button" to="/register">
            {t("landing.start")}
          </Link>
          <Link to="/login">{t("landing.haveAccount")}</Link>
        </div>
      )}
    </div>
  );
}
