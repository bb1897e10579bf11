import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation, Link } from "react-router";
import { useI18n } from "../i18n/I18n";
import { ErrorBoundary } from "./ErrorBoundary";
import { Layout } from "./Layout";
import { useSession } from "./Session";
import { Landing } from "../features/landing/Landing";

// Each area loads when first visited: the landing page ships without the feed's code.
const Register = lazy(() => import("../features/auth/Register"));
const Login = lazy(() => import("../features/auth/Login"));
const ForgotPassword = lazy(() => import("../features/account/ForgotPassword"));
const ResetPassword = lazy(() => import("../features/account/ResetPassword"));
const FeedPage = lazy(() => import("../features/feed/FeedPage"));
const NewPost = lazy(() => import("../features/posts/NewPost"));
const PostPage = lazy(() => import("../features/posts/PostPage"));
const EditPost = lazy(() => import("../features/posts/EditPost"));
const MePage = lazy(() => import("../features/me/MePage"));
const NeighboursPage = lazy(() => import("../features/neighbours/NeighboursPage"));
const HelpersPage = lazy(() => import("../features/helpers/HelpersPage"));
const HelperProfile = lazy(() => import("../features/helpers/HelperProfile"));
const CalendarPage = lazy(() => import("../features/calendar/CalendarPage"));
const NewEvent = lazy(() => import("../features/calendar/NewEvent"));
const ChatPage = lazy(() => import("../features/chat/ChatPage"));
const ConversationPage = lazy(() => import("../features/chat/ConversationPage"));
const NotificationsPage = lazy(() => import("../features/notifications/NotificationsPage"));
const NotificationSettings = lazy(() => import("../features/notifications/NotificationSettings"));
const ParticipationPage = lazy(() => import("../features/participation/ParticipationPage"));
const SurveyPage = lazy(() => import("../features/participation/SurveyPage"));
const BudgetPage = lazy(() => import("../features/participation/BudgetPage"));
const IncidentsPage = lazy(() => import("../features/incidents/IncidentsPage"));
const ReportIncident = lazy(() => import("../features/incidents/ReportIncident"));
const IncidentPage = lazy(() => import("../features/incidents/IncidentPage"));

function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t("app.loading")}
    </p>
  );
}

/** Screens for signed-in residents: wait for the cookie refresh, else go to login and back. */
function SignedIn({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === "restoring") return <Loading />;
  if (session.status === "anonymous") {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <>{children}</>;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="panel">
      <h1>{t("app.notFound.title")}</h1>
      <Link to="/">{t("app.notFound.back")}</Link>
    </div>
  );
}

export function App() {
  return (
    <Layout>
      <ErrorBoundary>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Landing />} />
            <Route path="/register" element={<Register />} />
            <Route path="/login" element={<Login />} />
            <Route path="/forgot-password" element={<ForgotPassword />} />
            <Route path="/reset-password" element={<ResetPassword />} />
            <Route path="/feed" element={<SignedIn><FeedPage /></SignedIn>} />
            <Route path="/posts/new" element={<SignedIn><NewPost /></SignedIn>} />
            <Route path="/posts/:postId" element={<SignedIn><PostPage /></SignedIn>} />
            <Route path="/posts/:postId/edit" element={<SignedIn><EditPost /></SignedIn>} />
            <Route path="/me" element={<SignedIn><MePage /></SignedIn>} />
            <Route path="/neighbours" element={<SignedIn><NeighboursPage /></SignedIn>} />
            <Route path="/helpers" element={<SignedIn><HelpersPage /></SignedIn>} />
            <Route path="/helpers/profile" element={<SignedIn><HelperProfile /></SignedIn>} />
            <Route path="/calendar" element={<SignedIn><CalendarPage /></SignedIn>} />
            <Route path="/calendar/new" element={<SignedIn><NewEvent /></SignedIn>} />
            <Route path="/chat" element={<SignedIn><ChatPage /></SignedIn>} />
            <Route path="/chat/:conversationId" element={<SignedIn><ConversationPage /></SignedIn>} />
            <Route path="/notifications" element={<SignedIn><NotificationsPage /></SignedIn>} />
            <Route path="/notifications/settings" element={<SignedIn><NotificationSettings /></SignedIn>} />
            <Route path="/participate" element={<SignedIn><ParticipationPage /></SignedIn>} />
            <Route path="/surveys/:surveyId" element={<SignedIn><SurveyPage /></SignedIn>} />
            <Route path="/budgets/:budgetId" element={<SignedIn><BudgetPage /></SignedIn>} />
            <Route path="/incidents" element={<SignedIn><IncidentsPage /></SignedIn>} />
            <Route path="/incidents/new" element={<SignedIn><ReportIncident /></SignedIn>} />
            <Route path="/incidents/:incidentId" element={<SignedIn><IncidentPage /></SignedIn>} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}
