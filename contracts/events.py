"""Events: past-tense names per source service, with the payload fields each must carry.

Every payload also carries `schema_version` and an `event_id` (the idempotency key consumers
deduplicate on). Handlers subscribe with `(event.source, event.name)` from these constants.
"""
from dataclasses import dataclass, field

from contracts import services


@dataclass(frozen=True)
class EventType:
    source: str
    name: str
    fields: frozenset = field(default_factory=frozenset)
    schema_version: int = 1

    def payload(self, event_id, **values):
        """Build a payload, refusing missing or unknown fields (a typo must not ship silently)."""
        missing = self.fields - values.keys()
        unknown = values.keys() - self.fields
        if missing or unknown:
            raise ValueError(
                "%s payload: missing %s, unknown %s" % (self.name, sorted(missing), sorted(unknown))
            )
        return dict(values, event_id=event_id, schema_version=self.schema_version)


def _event(source, name, *fields):
    return EventType(source, name, frozenset(fields))


# identity
MUNICIPALITY_CREATED = _event(
    services.IDENTITY, "municipality_created", "municipality_id", "name", "activation_threshold"
)
# display_name and street let the neighbourhood service keep its member list (first name + street,
# never the house number) without asking identity on every read.
USER_REGISTERED = _event(
    services.IDENTITY, "user_registered",
    "user_id", "municipality_id", "household_id", "neighbourhood_id", "role",
    "display_name", "street",
)
USER_UPDATED = _event(services.IDENTITY, "user_updated", "user_id", "municipality_id", "changes")
USER_ERASED = _event(services.IDENTITY, "user_erased", "user_id", "municipality_id")

# neighbourhood
MEMBER_JOINED = _event(
    services.NEIGHBOURHOOD, "member_joined", "user_id", "neighbourhood_id", "household_id"
)
MEMBER_LEFT = _event(services.NEIGHBOURHOOD, "member_left", "user_id", "neighbourhood_id")
NEIGHBOURHOOD_ACTIVATED = _event(
    services.NEIGHBOURHOOD, "neighbourhood_activated", "neighbourhood_id", "municipality_id"
)
HELPER_PROFILE_UPDATED = _event(
    services.NEIGHBOURHOOD, "helper_profile_updated", "user_id", "neighbourhood_id"
)
HELPER_PROFILE_REMOVED = _event(
    services.NEIGHBOURHOOD, "helper_profile_removed", "user_id", "neighbourhood_id"
)

# A city call-out reached these volunteer helpers (ids only: the city learns no name until one
# accepts); the feed puts it in each helper's notifications inbox.
CALLOUT_ISSUED = _event(
    services.NEIGHBOURHOOD, "callout_issued",
    "callout_id", "municipality_id", "neighbourhood_id", "skill", "skill_label", "message",
    "helper_ids",
)

# feed
# municipality_id lets consumers count per municipality; neighbourhood_ids is the audience (a post
# may go to home + followed neighbourhoods, an announcement to several); published_at is later
# than now for a scheduled announcement.
POST_CREATED = _event(
    services.FEED, "post_created", "post_id", "neighbourhood_id", "author_id", "municipality_id",
    "neighbourhood_ids", "category", "published_at",
)
POST_UPDATED = _event(
    services.FEED, "post_updated", "post_id", "neighbourhood_id", "author_id", "municipality_id",
    "category",
)
POST_DELETED = _event(
    services.FEED, "post_deleted", "post_id", "neighbourhood_id", "municipality_id"
)
# post_author_id: whom a "reply to your post" notification goes to.
COMMENT_CREATED = _event(
    services.FEED, "comment_created", "comment_id", "post_id", "neighbourhood_id", "author_id",
    "municipality_id", "post_author_id",
)
# content_kind "post" or "comment"; moderation hides after N reports from distinct households
# (reporter_household_id) and needs to know whose content it is (author_id). author_role: the
# municipality's own content (city staff, moderators, admins) goes to the queue, never hidden by
# reports (an added field: a consumer reading an older event without it treats it as a resident's).
CONTENT_REPORTED = _event(
    services.FEED, "content_reported", "content_id", "content_kind", "reporter_id", "reason",
    "municipality_id", "neighbourhood_id", "reporter_household_id", "author_id", "post_id",
    "author_role",
)

# A chat message was written: the feed's own inbox notifies the other members (recipient_ids).
# It carries no text: conversations stay between their members.
CHAT_MESSAGE_SENT = _event(
    services.FEED, "chat_message_sent", "message_id", "conversation_id", "author_id",
    "municipality_id", "recipient_ids", "sent_at",
)

# moderation
# author_id: whom the outcome is told to (the feed's notifications inbox); content_kind is
# "post", "comment" or "chat_message" as reported.
CONTENT_HELD = _event(
    services.MODERATION, "content_held", "content_id", "content_kind", "reasons", "author_id"
)
CONTENT_HIDDEN = _event(
    services.MODERATION, "content_hidden", "content_id", "content_kind", "reasons", "author_id"
)
CONTENT_RESTORED = _event(
    services.MODERATION, "content_restored", "content_id", "content_kind", "author_id"
)
USER_SUSPENDED = _event(services.MODERATION, "user_suspended", "user_id", "until", "reason")

# participation
SURVEY_PUBLISHED = _event(
    services.PARTICIPATION, "survey_published", "survey_id", "municipality_id", "neighbourhood_ids"
)
# Version 2 carries the head of the budget's public log at the change (its entry count and the
# hash of its last entry), so anyone who kept an announcement can tell a rewritten log.
BUDGET_PHASE_CHANGED = EventType(
    services.PARTICIPATION, "budget_phase_changed",
    frozenset({"budget_id", "municipality_id", "phase", "log_entries", "log_head"}),
    schema_version=2,
)
INCIDENT_REPORTED = _event(
    services.PARTICIPATION, "incident_reported", "incident_id", "municipality_id", "category"
)
INCIDENT_STATUS_CHANGED = _event(
    services.PARTICIPATION, "incident_status_changed", "incident_id", "municipality_id", "status"
)
# An initiative reached its threshold of supports: the city now sees it and is expected to answer.
INITIATIVE_ESCALATED = _event(
    services.PARTICIPATION, "initiative_escalated",
    "initiative_id", "municipality_id", "neighbourhood_id", "supports",
)

# notification
# One batch of an announcement's recipients, published on the service's own exchange so that
# every notification instance takes batches from the shared queue: a city-wide alert is many
# small messages, never one worker looping over the whole city. Ids only, never addresses.
ANNOUNCEMENT_BATCH_QUEUED = _event(
    services.NOTIFICATION, "announcement_batch_queued",
    "announcement_id", "municipality_id", "batch", "user_ids",
)


def declared_events():
    return {v for v in globals().values() if isinstance(v, EventType)}
