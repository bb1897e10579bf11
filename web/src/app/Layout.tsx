import { useEffect, useRef, type ReactNode } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router";
import { useI18n } from "../i18n/I18n";
import { useSession } from "./Session";
import { useUnreadCount } from "../features/notifications/unread";

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const firstRender = useRef(true);
  const unread = useUnreadCount(session.status === "signed-in");
  // A new screen moves the focus to its content, so a screen reader starts reading there and the
  // next Tab does not begin at the top of the previous page (not on the first load).
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        {t("app.skip")}
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {t("app.name")}
        </Link>
        <nav aria-label={t("nav.main")}>
          <ul>
            {session.status === "signed-in" ? (
              <>
                <li>
                  <NavLink to="/feed">{t("nav.feed")}</NavLink>
                </li>
                <li>
                  <NavLink to="/neighbours">{t("nav.neighbours")}</NavLink>
                </li>
                {session.user?.role === "resident" && (
                  <>
                    <li>
                      <NavLink to="/participate">{t("nav.participate")}</NavLink>
                    </li>
                    <li>
                      <NavLink to="/incidents">{t("nav.incidents")}</NavLink>
                    </li>
                  </>
                )}
                {session.user?.role === "resident" && (
                  <>
                    <li>
                      <NavLink to="/helpers">{t("nav.helpers")}</NavLink>
                    </li>
                    <li>
                      <NavLink to="/calendar">{t("nav.calendar")}</NavLink>
                    </li>
                    <li>
                      <NavLink to="/chat">{t("nav.chat")}</NavLink>
                    </li>
                  </>
                )}
                <li>
                  {/* The count is in the link's name, not in its text: no second "N unread" on the page. */}
                  <NavLink to="/notifications" aria-label={unread > 0 ? t("nav.notificationsUnread", { count: unread }) : undefined}>
                    {t("nav.notifications")}
                    {unread > 0 && (
                      <span className="badge" aria-hidden="true">
                        {unread}
                      </span>
                    )}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/me">{t("nav.me")}</NavLink>
                </li>
                <li>
                  <button
                    type="button"
                    className="link-button"
                    onClick={async () => {
                      await session.signOut();
                      navigate("/login");
                    }}
                  >
                    {t("nav.logout")}
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/login">{t("nav.login")}</NavLink>
                </li>
                <li>
                  <NavLink to="/register">{t("nav.register")}</NavLink>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}
