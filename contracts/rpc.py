"""Every RPC method a service offers, declared once.

Callers (the gateway, the gRPC process, other services) name methods through these constants,
never as bare strings, and `tests/contract` checks that each declared method exists as an `@rpc`
entrypoint on its service and that callers use only declared methods.
"""
from dataclasses import dataclass

from contracts import services


@dataclass(frozen=True)
class RpcMethod:
    service: str
    name: str

    @property
    def routing_key(self):
        return "%s.%s" % (self.service, self.name)

    def __str__(self):
        return self.routing_key


# Every service answers `health`: {"service", "version", "store", "uptime_s", "status"}.
HEALTH = {name: RpcMethod(name, "health") for name in services.ALL}


class identity:
    HEALTH = HEALTH[services.IDENTITY]
    CREATE_MUNICIPALITY = RpcMethod(services.IDENTITY, "create_municipality")
    GET_MUNICIPALITY = RpcMethod(services.IDENTITY, "get_municipality")
    LIST_MUNICIPALITIES = RpcMethod(services.IDENTITY, "list_municipalities")
    # accounts and sessions
    REGISTER = RpcMethod(services.IDENTITY, "register")
    LOGIN = RpcMethod(services.IDENTITY, "login")
    REFRESH = RpcMethod(services.IDENTITY, "refresh")
    LOGOUT = RpcMethod(services.IDENTITY, "logout")
    CREATE_STAFF_ACCOUNT = RpcMethod(services.IDENTITY, "create_staff_account")
    # Sessions ended lately, polled by the gateway to refuse their access tokens at once.
    REVOKED_SESSIONS = RpcMethod(services.IDENTITY, "revoked_sessions")
    # the account holder
    GET_ME = RpcMethod(services.IDENTITY, "get_me")
    UPDATE_ME = RpcMethod(services.IDENTITY, "update_me")
    ERASE_ME = RpcMethod(services.IDENTITY, "erase_me")
    CHANGE_PASSWORD = RpcMethod(services.IDENTITY, "change_password")
    # Forgotten password: a request answers the same whatever the address; the e-mailed link's
    # single-use token sets a new password and ends every session.
    REQUEST_PASSWORD_RESET = RpcMethod(services.IDENTITY, "request_password_reset")
    CONFIRM_PASSWORD_RESET = RpcMethod(services.IDENTITY, "confirm_password_reset")
    # GDPR export: every service that holds personal data answers `export_user(caller)`.
    EXPORT_USER = RpcMethod(services.IDENTITY, "export_user")
    # address register and invitation letters
    IMPORT_ADDRESSES = RpcMethod(services.IDENTITY, "import_addresses")
    ISSUE_INVITATIONS = RpcMethod(services.IDENTITY, "issue_invitations")
    LIST_INVITATIONS = RpcMethod(services.IDENTITY, "list_invitations")
    INVITE_CO_RESIDENT = RpcMethod(services.IDENTITY, "invite_co_resident")
    # API keys of municipal systems (gRPC): admins manage them; AUTHENTICATE_API_KEY is for
    # the platform's processes only (the gRPC process).
    CREATE_API_KEY = RpcMethod(services.IDENTITY, "create_api_key")
    LIST_API_KEYS = RpcMethod(services.IDENTITY, "list_api_keys")
    REVOKE_API_KEY = RpcMethod(services.IDENTITY, "revoke_api_key")
    AUTHENTICATE_API_KEY = RpcMethod(services.IDENTITY, "authenticate_api_key")
    # Counts per neighbourhood: register households, households with accounts, residents.
    POPULATION_STATISTICS = RpcMethod(services.IDENTITY, "population_statistics")
    # For the notification service only (system caller): each account's address and language,
    # asked per batch at send time so e-mail addresses never travel on events.
    MAIL_RECIPIENTS = RpcMethod(services.IDENTITY, "mail_recipients")


class neighbourhood:
    HEALTH = HEALTH[services.NEIGHBOURHOOD]
    IMPORT_NEIGHBOURHOODS = RpcMethod(services.NEIGHBOURHOOD, "import_neighbourhoods")
    LOCATE = RpcMethod(services.NEIGHBOURHOOD, "locate")
    LIST_NEIGHBOURHOODS = RpcMethod(services.NEIGHBOURHOOD, "list_neighbourhoods")
    GET_NEIGHBOURHOOD = RpcMethod(services.NEIGHBOURHOOD, "get_neighbourhood")
    LIST_MEMBERS = RpcMethod(services.NEIGHBOURHOOD, "list_members")
    VISIBLE_NEIGHBOURHOOD_IDS = RpcMethod(services.NEIGHBOURHOOD, "visible_neighbourhood_ids")
    CAN_SEE = RpcMethod(services.NEIGHBOURHOOD, "can_see")
    FOLLOW = RpcMethod(services.NEIGHBOURHOOD, "follow")
    UNFOLLOW = RpcMethod(services.NEIGHBOURHOOD, "unfollow")
    SET_DIRECTORY_LISTING = RpcMethod(services.NEIGHBOURHOOD, "set_directory_listing")
    EXPORT_USER = RpcMethod(services.NEIGHBOURHOOD, "export_user")
    # the neighbourhood calendar (residents' events and RSVPs)
    CREATE_EVENT = RpcMethod(services.NEIGHBOURHOOD, "create_event")
    LIST_EVENTS = RpcMethod(services.NEIGHBOURHOOD, "list_events")
    GET_EVENT = RpcMethod(services.NEIGHBOURHOOD, "get_event")
    UPDATE_EVENT = RpcMethod(services.NEIGHBOURHOOD, "update_event")
    CANCEL_EVENT = RpcMethod(services.NEIGHBOURHOOD, "cancel_event")
    SET_RSVP = RpcMethod(services.NEIGHBOURHOOD, "set_rsvp")
    # the organisations map (GeoJSON for readers; managed by city staff and admins)
    ORGANISATION_CATEGORIES = RpcMethod(services.NEIGHBOURHOOD, "organisation_categories")
    LIST_ORGANISATIONS = RpcMethod(services.NEIGHBOURHOOD, "list_organisations")
    LIST_CITY_ORGANISATIONS = RpcMethod(services.NEIGHBOURHOOD, "list_city_organisations")
    CREATE_ORGANISATION = RpcMethod(services.NEIGHBOURHOOD, "create_organisation")
    GET_ORGANISATION = RpcMethod(services.NEIGHBOURHOOD, "get_organisation")
    UPDATE_ORGANISATION = RpcMethod(services.NEIGHBOURHOOD, "update_organisation")
    DELETE_ORGANISATION = RpcMethod(services.NEIGHBOURHOOD, "delete_organisation")
    # helpers: profiles, search, the skill catalogue, city call-outs and statistics (counts only)
    PUT_HELPER_PROFILE = RpcMethod(services.NEIGHBOURHOOD, "put_helper_profile")
    GET_HELPER_PROFILE = RpcMethod(services.NEIGHBOURHOOD, "get_helper_profile")
    REMOVE_HELPER_PROFILE = RpcMethod(services.NEIGHBOURHOOD, "remove_helper_profile")
    SEARCH_HELPERS = RpcMethod(services.NEIGHBOURHOOD, "search_helpers")
    HELPER_SKILLS = RpcMethod(services.NEIGHBOURHOOD, "helper_skills")
    CREATE_CALLOUT = RpcMethod(services.NEIGHBOURHOOD, "create_callout")
    LIST_CALLOUTS = RpcMethod(services.NEIGHBOURHOOD, "list_callouts")
    GET_CALLOUT = RpcMethod(services.NEIGHBOURHOOD, "get_callout")
    MY_CALLOUTS = RpcMethod(services.NEIGHBOURHOOD, "my_callouts")
    ANSWER_CALLOUT = RpcMethod(services.NEIGHBOURHOOD, "answer_callout")
    HELPER_STATISTICS = RpcMethod(services.NEIGHBOURHOOD, "helper_statistics")
    # maintenance of the search projection (admins, the platform): "status", "clear", "rebuild"
    HELPER_INDEX = RpcMethod(services.NEIGHBOURHOOD, "helper_index")


class feed:
    HEALTH = HEALTH[services.FEED]
    # posts and the feed
    CREATE_POST = RpcMethod(services.FEED, "create_post")
    GET_POST = RpcMethod(services.FEED, "get_post")
    UPDATE_POST = RpcMethod(services.FEED, "update_post")
    DELETE_POST = RpcMethod(services.FEED, "delete_post")
    FEED_PAGE = RpcMethod(services.FEED, "feed_page")
    SET_SHARED_WITH_CITY = RpcMethod(services.FEED, "set_shared_with_city")
    GET_TRANSLATION = RpcMethod(services.FEED, "get_translation")
    GET_COMMENT_TRANSLATION = RpcMethod(services.FEED, "get_comment_translation")
    # A post's or comment's text for the translation service's language detection (system only).
    CONTENT_TEXT = RpcMethod(services.FEED, "content_text")
    # An announcement's texts, urgency and audience for the notification service (system only).
    ANNOUNCEMENT_TEXT = RpcMethod(services.FEED, "announcement_text")
    # comments, thanks, reports
    ADD_COMMENT = RpcMethod(services.FEED, "add_comment")
    LIST_COMMENTS = RpcMethod(services.FEED, "list_comments")
    ADD_REACTION = RpcMethod(services.FEED, "add_reaction")
    REMOVE_REACTION = RpcMethod(services.FEED, "remove_reaction")
    REPORT_CONTENT = RpcMethod(services.FEED, "report_content")
    # the city
    CREATE_ANNOUNCEMENT = RpcMethod(services.FEED, "create_announcement")
    LIST_ANNOUNCEMENTS = RpcMethod(services.FEED, "list_announcements")
    # Counts only (posts, comments, thanks per neighbourhood, category and ISO week), never text.
    STATISTICS = RpcMethod(services.FEED, "statistics")
    EXPORT_USER = RpcMethod(services.FEED, "export_user")
    # chat: residents only (staff are refused by every one of them)
    START_CONVERSATION = RpcMethod(services.FEED, "start_conversation")
    LIST_CONVERSATIONS = RpcMethod(services.FEED, "list_conversations")
    GET_CONVERSATION = RpcMethod(services.FEED, "get_conversation")
    ADD_CONVERSATION_MEMBERS = RpcMethod(services.FEED, "add_conversation_members")
    LEAVE_CONVERSATION = RpcMethod(services.FEED, "leave_conversation")
    SEND_MESSAGE = RpcMethod(services.FEED, "send_message")
    LIST_MESSAGES = RpcMethod(services.FEED, "list_messages")
    REPORT_MESSAGE = RpcMethod(services.FEED, "report_message")
    BLOCK_USER = RpcMethod(services.FEED, "block_user")
    UNBLOCK_USER = RpcMethod(services.FEED, "unblock_user")
    LIST_BLOCKS = RpcMethod(services.FEED, "list_blocks")
    # The text of a reported chat message, for moderation (system or the municipality's
    # moderators): the only chat content that ever leaves a conversation.
    REPORTED_MESSAGE = RpcMethod(services.FEED, "reported_message")
    # the notifications inbox
    LIST_NOTIFICATIONS = RpcMethod(services.FEED, "list_notifications")
    MARK_NOTIFICATIONS_READ = RpcMethod(services.FEED, "mark_notifications_read")


class translation:
    HEALTH = HEALTH[services.TRANSLATION]
    # The feed asks, for content the caller may read: the text in a language (cache, provider).
    TRANSLATE = RpcMethod(services.TRANSLATION, "translate")
    SUPPORTED_LANGUAGES = RpcMethod(services.TRANSLATION, "supported_languages")
    EXPORT_USER = RpcMethod(services.TRANSLATION, "export_user")


class moderation:
    HEALTH = HEALTH[services.MODERATION]
    # Before publication (the feed, the calendar): {action: allow|flag|hold|block, reasons}.
    SCREEN = RpcMethod(services.MODERATION, "screen")
    # per-municipality watched words and patterns, and the report threshold
    LIST_RULES = RpcMethod(services.MODERATION, "list_rules")
    CREATE_RULE = RpcMethod(services.MODERATION, "create_rule")
    DELETE_RULE = RpcMethod(services.MODERATION, "delete_rule")
    GET_SETTINGS = RpcMethod(services.MODERATION, "get_settings")
    SET_SETTINGS = RpcMethod(services.MODERATION, "set_settings")
    # the queue, decisions, appeals (the author), the audit log
    LIST_QUEUE = RpcMethod(services.MODERATION, "list_queue")
    GET_CASE = RpcMethod(services.MODERATION, "get_case")
    DECIDE = RpcMethod(services.MODERATION, "decide")
    APPEAL = RpcMethod(services.MODERATION, "appeal")
    DECIDE_APPEAL = RpcMethod(services.MODERATION, "decide_appeal")
    AUDIT_LOG = RpcMethod(services.MODERATION, "audit_log")
    # {user_id, suspended_until}: the services ask it (as the system) before a write a suspended
    # person may not make; moderation's cases are the one record of suspensions.
    SUSPENSION = RpcMethod(services.MODERATION, "suspension")
    EXPORT_USER = RpcMethod(services.MODERATION, "export_user")


class participation:
    HEALTH = HEALTH[services.PARTICIPATION]
    # surveys
    CREATE_SURVEY = RpcMethod(services.PARTICIPATION, "create_survey")
    LIST_SURVEYS = RpcMethod(services.PARTICIPATION, "list_surveys")
    GET_SURVEY = RpcMethod(services.PARTICIPATION, "get_survey")
    CLOSE_SURVEY = RpcMethod(services.PARTICIPATION, "close_survey")
    SUBMIT_RESPONSE = RpcMethod(services.PARTICIPATION, "submit_response")
    SURVEY_RESULTS = RpcMethod(services.PARTICIPATION, "survey_results")
    EXPORT_SURVEY = RpcMethod(services.PARTICIPATION, "export_survey")
    # participatory budgets
    CREATE_BUDGET = RpcMethod(services.PARTICIPATION, "create_budget")
    LIST_BUDGETS = RpcMethod(services.PARTICIPATION, "list_budgets")
    GET_BUDGET = RpcMethod(services.PARTICIPATION, "get_budget")
    CHANGE_BUDGET_RULES = RpcMethod(services.PARTICIPATION, "change_budget_rules")
    ADVANCE_BUDGET_PHASE = RpcMethod(services.PARTICIPATION, "advance_budget_phase")
    PROPOSE_PROJECT = RpcMethod(services.PARTICIPATION, "propose_project")
    REVIEW_PROJECT = RpcMethod(services.PARTICIPATION, "review_project")
    CAST_BALLOT = RpcMethod(services.PARTICIPATION, "cast_ballot")
    BUDGET_RESULTS = RpcMethod(services.PARTICIPATION, "budget_results")
    BUDGET_LOG = RpcMethod(services.PARTICIPATION, "budget_log")
    VERIFY_BUDGET_LOG = RpcMethod(services.PARTICIPATION, "verify_budget_log")
    BUDGET_LOG_HEAD = RpcMethod(services.PARTICIPATION, "budget_log_head")
    # initiatives
    SET_INITIATIVE_THRESHOLD = RpcMethod(services.PARTICIPATION, "set_initiative_threshold")
    PROPOSE_INITIATIVE = RpcMethod(services.PARTICIPATION, "propose_initiative")
    LIST_INITIATIVES = RpcMethod(services.PARTICIPATION, "list_initiatives")
    GET_INITIATIVE = RpcMethod(services.PARTICIPATION, "get_initiative")
    SUPPORT_INITIATIVE = RpcMethod(services.PARTICIPATION, "support_initiative")
    ANSWER_INITIATIVE = RpcMethod(services.PARTICIPATION, "answer_initiative")
    # incident reports; LIST_INCIDENTS pages by a monotonic sequence (resumable streaming)
    REPORT_INCIDENT = RpcMethod(services.PARTICIPATION, "report_incident")
    GET_INCIDENT = RpcMethod(services.PARTICIPATION, "get_incident")
    LIST_MY_INCIDENTS = RpcMethod(services.PARTICIPATION, "list_my_incidents")
    LIST_INCIDENTS = RpcMethod(services.PARTICIPATION, "list_incidents")
    SET_INCIDENT_STATUS = RpcMethod(services.PARTICIPATION, "set_incident_status")
    # statistics: participation per neighbourhood of every survey and budget
    PARTICIPATION_STATS = RpcMethod(services.PARTICIPATION, "participation_stats")
    # the municipality's small-cell threshold, which every statistics RPC is told
    STATISTICS_SETTINGS = RpcMethod(services.PARTICIPATION, "statistics_settings")
    SET_STATISTICS_SETTINGS = RpcMethod(services.PARTICIPATION, "set_statistics_settings")
    EXPORT_USER = RpcMethod(services.PARTICIPATION, "export_user")


class notification:
    HEALTH = HEALTH[services.NOTIFICATION]
    # the person's preferences: per kind x channel, digest, quiet hours
    GET_SETTINGS = RpcMethod(services.NOTIFICATION, "get_settings")
    PUT_SETTINGS = RpcMethod(services.NOTIFICATION, "put_settings")
    # one-click unsubscribe from an e-mail's signed link (no session: the link is the proof)
    UNSUBSCRIBE = RpcMethod(services.NOTIFICATION, "unsubscribe")
    # Identity's account e-mails (password reset), system only. By RPC, not an event: the link
    # carries a live token, and an RPC message goes to one queue, is not persisted and is stored
    # nowhere by the receiver, where an event is copied to every subscriber's queue and parked
    # in their stores when a handler fails.
    SEND_ACCOUNT_MAIL = RpcMethod(services.NOTIFICATION, "send_account_mail")
    # Web Push: the key browsers subscribe with, and the person's subscriptions
    PUSH_PUBLIC_KEY = RpcMethod(services.NOTIFICATION, "push_public_key")
    ADD_PUSH_SUBSCRIPTION = RpcMethod(services.NOTIFICATION, "add_push_subscription")
    REMOVE_PUSH_SUBSCRIPTION = RpcMethod(services.NOTIFICATION, "remove_push_subscription")
    # staff: progress and delivery counts of one announcement's fan-out
    ANNOUNCEMENT_DELIVERIES = RpcMethod(services.NOTIFICATION, "announcement_deliveries")
    EXPORT_USER = RpcMethod(services.NOTIFICATION, "export_user")


def declared_methods():
    """All RpcMethod constants declared above, for contract checks."""
    found = set()
    for namespace in (identity, neighbourhood, feed, translation, moderation, participation,
                      notification):
        for value in vars(namespace).values():
            if isinstance(value, RpcMethod):
                found.add(value)
    return found
