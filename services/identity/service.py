"""Identity: municipalities, households, accounts, tokens and roles."""
from nameko.events import EventDispatcher

from contracts import errors, services
from contracts.caller import Caller
from servicekit.nameko_extensions import QuartierService, rpc
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from services.identity import domain
from services.identity.dependencies import Municipalities


class IdentityService(QuartierService):
    name = services.IDENTITY

    municipalities = Municipalities()
    dispatch = EventDispatcher()

    @rpc
    def create_municipality(self, caller, slug, name,
                            activation_threshold=domain.DEFAULT_ACTIVATION_THRESHOLD,
                            languages=domain.DEFAULT_LANGUAGES):
        domain.authorize_municipality_admin(Caller.from_dict(caller))
        candidate = domain.new_municipality(slug, name, activation_threshold, languages)
        stored, created = self.municipalities.add(candidate)
        if not created and not stored.same_definition(candidate):
            raise errors.conflict("a different municipality already uses slug %r" % slug)
        # Dispatched on replays too: if a crash fell between storing and dispatching, the retry
        # still announces it. The event_id is deterministic, so consumers drop the duplicate.
        event, payload = domain.municipality_created(stored)
        self.dispatch(event.name, payload)
        return stored.to_dict()

    @rpc
    def get_municipality(self, caller, municipality_id):
        caller = Caller.from_dict(caller)
        found = self.municipalities.get(municipality_id) if isinstance(municipality_id, str) else None
        return domain.visible_municipality(caller, found).to_dict()

    @rpc
    def list_municipalities(self, caller, cursor=None, limit=None):
        """The platform sees every municipality; anyone else sees only their own."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        if not caller.is_system:
            own = self.municipalities.get(caller.municipality_id) if caller.municipality_id else None
            return {"items": [own.to_dict()] if own else [], "next_cursor": None}
        after = decode_cursor(cursor)
        if after is not None and not isinstance(after, str):
            raise errors.invalid("malformed cursor")
        items = self.municipalities.page(after_slug=after, limit=limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return {
            "items": [m.to_dict() for m in items],
            "next_cursor": encode_cursor(items[-1].slug) if more else None,
        }
