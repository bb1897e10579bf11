import { Component, type ReactNode } from "react";
import { useI18n } from "../i18n/I18n";

function Fallback() {
  const { t } = useI18n();
  return (
    <div className="panel" role="alert">
      <h1>{t("app.error.title")}</h1>
      <p>{t("app.error.body")}</p>
      <button type="button" onClick={() => window.location.reload()}>
        {t("app.error.reload")}
      </button>
    </div>
  );
}

/** A screen that throws shows a plain message instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown) {
    console.error(error);
  }

  render() {
    return this.state.failed ? <Fallback /> : this.props.children;
  }
}
