"""Feed: posts, comments, reactions, announcements, notifications and chat."""
from contracts import services
from servicekit.nameko_extensions import QuartierService


class FeedService(QuartierService):
    name = services.FEED
