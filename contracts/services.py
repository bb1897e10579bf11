"""Service names: the nameko service names, RPC routing-key prefixes and event sources."""

IDENTITY = "identity"
NEIGHBOURHOOD = "neighbourhood"
FEED = "feed"
TRANSLATION = "translation"
MODERATION = "moderation"
PARTICIPATION = "participation"
NOTIFICATION = "notification"

ALL = (IDENTITY, NEIGHBOURHOOD, FEED, TRANSLATION, MODERATION, PARTICIPATION, NOTIFICATION)
