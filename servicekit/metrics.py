"""Prometheus metrics shared by every process. Names are prefixed `quartier_`; labels never carry
user ids or other unbounded values (routes are templates, entrypoints are method names)."""
import logging

from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger(__name__)

# Buckets chosen around the latency objectives (0.25 s p99 for reads, 1.2 s worst case) so the
# SLO thresholds fall exactly on bucket edges.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 1.2, 2.5, 5.0, 10.0)

# Outcomes: `success`; `client_error` for an expected DomainError (bad input, not found...);
# `server_error` for anything else (a bug or a broken dependency).
SUCCESS = "success"
CLIENT_ERROR = "client_error"
SERVER_ERROR = "server_error"

ENTRYPOINT_CALLS = Counter(
    "quartier_entrypoint_calls_total",
    "Calls of a service entrypoint (RPC method or event handler) by outcome.",
    ["service", "entrypoint", "kind", "outcome"],
)
ENTRYPOINT_LATENCY = Histogram(
    "quartier_entrypoint_duration_seconds",
    "Time spent in a service entrypoint (RPC method or event handler).",
    ["service", "entrypoint", "kind"],
    buckets=LATENCY_BUCKETS,
)

EVENT_DELIVERIES = Counter(
    "quartier_event_deliveries_total",
    "Event deliveries through a service's inbox, by outcome: handled, duplicate (skipped), "
    "parked (failed, to be retried), retried (a parked event handled), dead (retries exhausted).",
    ["service", "handler", "outcome"],
)

# E-mails and pushes the notification service handed over (sent) or could not (failed: retried
# with backoff by the event inbox; those that never go show as dead event deliveries).
NOTIFICATION_DELIVERIES = Counter(
    "quartier_notification_deliveries_total",
    "Notifications handed to their channel (e-mail, push), by outcome.",
    ["channel", "outcome"],
)

# A login refused by a lockout costs no password hash: the refused_* outcomes show an attack
# being absorbed cheaply (and prove it in tests/security).
LOGIN_ATTEMPTS = Counter(
    "quartier_login_attempts_total",
    "Login attempts by outcome (identity): succeeded or failed (a password was checked), "
    "refused_account_locked, refused_device_locked or refused_client_locked (refused before any "
    "password hashing: the account's untrusted clients, the device token or the client address "
    "had too many failures).",
    ["outcome"],
)

# -- business metrics ------------------------------------------------------------------------
# What a municipality asks about (users, messages and exchanges, participation), counted by the
# service that owns the fact, when the fact happens (not on an idempotent replay). The only label
# is the municipality: bounded per deployment (a few dozen at most), never a user or a post id.
# Dashboards and alert rules in deploy/ use these names; tests/unit/test_deploy_grafana.py checks
# every panel against this module.

MUNICIPALITIES_CREATED = Counter(
    "quartier_municipalities_created_total",
    "Municipalities created (identity).",
)
REGISTRATIONS = Counter(
    "quartier_registrations_total",
    "Resident accounts created with a household invitation code (identity).",
    ["municipality"],
)
POSTS_CREATED = Counter(
    "quartier_posts_created_total",
    "Posts published in a neighbourhood feed (feed), by post category "
    "(message, classified, pet, recommendation, help, event, safety, announcement).",
    ["municipality", "category"],
)
COMMENTS_CREATED = Counter(
    "quartier_comments_created_total",
    "Comments on posts (feed).",
    ["municipality"],
)
REACTIONS = Counter(
    "quartier_reactions_total",
    "Thanks reactions given to posts (feed).",
    ["municipality"],
)
REPORTS = Counter(
    "quartier_content_reports_total",
    "Reports of a post, comment or message by a resident (feed).",
    ["municipality"],
)
CONTENT_MODERATED = Counter(
    "quartier_content_moderated_total",
    "Content stopped or marked by moderation (moderation), by action: blocked (refused by the "
    "watched-word filter), held (waiting for review), hidden (after reports or a decision), "
    "flagged.",
    ["municipality", "action"],
)
CALENDAR_EVENTS_CREATED = Counter(
    "quartier_calendar_events_created_total",
    "Events residents put in their neighbourhood calendar (neighbourhood).",
    ["municipality"],
)
HELPER_PROFILES_CREATED = Counter(
    "quartier_helper_profiles_created_total",
    "Residents who started offering help: helper profiles created, not edits (neighbourhood).",
    ["municipality"],
)
CALLOUTS_CREATED = Counter(
    "quartier_callouts_created_total",
    "City call-outs for helpers (neighbourhood).",
    ["municipality"],
)
CALLOUT_ANSWERS = Counter(
    "quartier_callout_answers_total",
    "Helpers' answers to call-outs that changed something, by answer (accepted, declined) "
    "(neighbourhood).",
    ["municipality", "answer"],
)
TRANSLATION_CACHE = Counter(
    "quartier_translation_cache_total",
    "Translation lookups by cache result (hit or miss) (translation).",
    ["result"],
)
TRANSLATION_PROVIDER_CALLS = Counter(
    "quartier_translation_provider_calls_total",
    "Calls to the machine-translation provider by provider and outcome "
    "(success, error, unavailable) (translation).",
    ["provider", "outcome"],
)
BALLOTS_CAST = Counter(
    "quartier_ballots_cast_total",
    "Participatory-budget ballots recorded (participation).",
    ["municipality"],
)
SURVEY_RESPONSES = Counter(
    "quartier_survey_responses_total",
    "Survey responses recorded (participation).",
    ["municipality"],
)

HTTP_REQUESTS = Counter(
    "quartier_http_requests_total",
    "HTTP requests served by the gateway, by route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "quartier_http_request_duration_seconds",
    "Gateway HTTP request latency by route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

RPC_CLIENT_CALLS = Counter(
    "quartier_rpc_client_calls_total",
    "RPC calls made by a gateway process, by method and outcome.",
    ["method", "outcome"],
)
RPC_CLIENT_LATENCY = Histogram(
    "quartier_rpc_client_duration_seconds",
    "Round-trip time of RPC calls made by a gateway process.",
    ["method"],
    buckets=LATENCY_BUCKETS,
)

GRPC_REQUESTS = Counter(
    "quartier_grpc_requests_total",
    "gRPC calls served by the gRPC process, by method and status code.",
    ["method", "code"],
)
GRPC_LATENCY = Histogram(
    "quartier_grpc_request_duration_seconds",
    "gRPC call latency by method.",
    ["method"],
    buckets=LATENCY_BUCKETS,
)


def serve_metrics(port, addr="0.0.0.0"):
    """Expose /metrics on `port`. A port of 0 or None disables the endpoint (tests running many
    containers in one process). A taken port is logged loudly rather than killing the process:
    the service itself is more important than its metrics."""
    if not port:
        return None
    try:
        server, _thread = start_http_server(int(port), addr=addr)
    except OSError as exc:
        log.error("metrics port %s unavailable (%s); /metrics not served", port, exc)
        return None
    log.info("metrics on http://%s:%s/metrics", addr, port)
    return server
