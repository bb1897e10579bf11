"""Feed: posts, comments, reactions, announcements, notifications and chat.

Every RPC takes the caller; who sees what is in services/feed/domain.py's docstring. Which
neighbourhoods a caller may see is the neighbourhood service's answer (asked per call, with a
timeout), never a copy kept here.

Layout: the service class with its dependencies and the posts/feed entrypoints come first; other
parts of the feed (chat, notifications) append their own marked sections below."""
from datetime import datetime, timezone

from nameko.events import EventDispatcher

from contracts import errors, events, rpc, services
from contracts.caller import RESIDENT, Caller
from contracts.errors import DomainError
from servicekit import metrics
from servicekit.nameko_extensions import (
    IdempotencyKeys, QuartierService, ServiceRpc, event_handler, rpc as entrypoint,
)
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from services.feed import domain
from services.feed.dependencies import Posts

# The neighbourhood service answers visibility from its own store; a slow answer must not hold a
# feed worker for the gateway's whole RPC timeout.
VISIBILITY_TIMEOUT = 3.0


def _now():
    return datetime.now(timezone.utc)


class FeedService(QuartierService):
    name = services.FEED

    posts = Posts()
    idempotency = IdempotencyKeys()
    neighbourhoods = ServiceRpc()
    dispatch = EventDispatcher()

    # == posts, the feed, comments, thanks, reports, announcements ===============================

    def _visible_ids(self, caller):
        """The neighbourhoods the caller may see (residents: home + followed; the city: all of
        its municipality), from the neighbourhood service."""
        if caller.role is None or caller.is_system:
            return []
        return self.neighbourhoods.call(
            rpc.neighbourhood.VISIBLE_NEIGHBOURHOOD_IDS, timeout=VISIBILITY_TIMEOUT,
            caller=caller.to_dict())

    def _readable_post(self, caller, post_id, visible_ids=None):
        post = self.posts.get_post(post_id) if isinstance(post_id, str) else None
        if post is None:
            raise errors.not_found("post not found")
        if visible_ids is None:
            # The city's reading rule needs no neighbourhood list: skip the call.
            visible_ids = [] if domain.is_city(caller) or post.author_id == caller.user_id \
                else self._visible_ids(caller)
        return domain.require_readable(caller, post, visible_ids, domain.timestamp())

    def _present(self, caller, posts):
        authors = self.posts.authors(p.author_id for p in posts)
        mine = self.posts.reactions_of(caller.user_id, [p.id for p in posts]) \
            if caller.user_id and posts else {}
        cities = self.posts.municipality_names(p.municipality_id for p in posts)
        return [domain.present_post(p, caller, authors, mine.get(p.id, ()), cities)
                for p in posts]

    def _publish(self, post):
        self.posts.add_post(post)
        event, payload = domain.post_created(post)
        self.dispatch(event.name, payload)
        metrics.POSTS_CREATED.labels(post.municipality_id, post.category).inc()

    @entrypoint
    def create_post(self, caller, post, idempotency_key=None):
        """A resident's post: {category, title, body, audience?, language?, the category's own
        fields}. Audience "home" (default), "home_and_followed" or a list of ids. A retry
        with the same Idempotency-Key answers the first post."""
        caller = Caller.from_dict(caller)

        def create():
            domain.check_new_post(post)  # bad input is refused before any other call
            created = domain.new_post(caller, post, self._visible_ids(caller), _now())
            self._publish(created)
            return self._present(caller, [created])[0]

        return self.idempotency.run(caller, "create_post", idempotency_key, post, create)

    @entrypoint
    def get_post(self, caller, post_id):
        caller = Caller.from_dict(caller)
        return self._present(caller, [self._readable_post(caller, post_id)])[0]

    @entrypoint
    def update_post(self, caller, post_id, changes):
        """The author edits title, body, the category's fields, or marks a help request solved."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        edited = domain.edit_post(caller, post, changes, _now())
        stored = self.posts.replace_post(edited)
        event, payload = domain.post_updated(stored)
        self.dispatch(event.name, payload)
        return self._present(caller, [stored])[0]

    @entrypoint
    def delete_post(self, caller, post_id):
        """The author deletes a post, with its comments, thanks and reports."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        domain.require_author(caller, post)
        self.posts.delete_post(post.id)
        event, payload = domain.post_deleted(post)
        self.dispatch(event.name, payload)
        return {"id": post.id, "deleted": True}

    @entrypoint
    def set_shared_with_city(self, caller, post_id, shared):
        """The author opts a post in to the city's reading (or revokes it). Idempotent."""
        caller = Caller.from_dict(caller)
        if not isinstance(shared, bool):
            raise errors.invalid("shared must be true or false")
        post = self._readable_post(caller, post_id)
        domain.require_author(caller, post)
        if post.is_announcement:
            raise errors.invalid("an announcement is the city's own")
        stored = self.posts.set_shared(post.id, shared)
        return {"post_id": stored.id, "shared_with_city": stored.shared_with_city}

    @entrypoint
    def feed_page(self, caller, neighbourhood_id=None, category=None, cursor=None, limit=None):
        """Newest first over the caller's visible neighbourhoods (or one of them), optionally
        one category; `next_cursor` continues below the last item (null at the end)."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        before = domain.check_position(decode_cursor(cursor))
        if category is not None and category not in domain.CATEGORIES:
            raise errors.invalid("invalid category", {
                "category": "one of %s" % ", ".join(domain.CATEGORIES)})
        visible = self._visible_ids(caller)
        scope = visible
        if neighbourhood_id is not None:
            if neighbourhood_id not in visible:
                raise errors.not_found("neighbourhood not found")
            scope = [neighbourhood_id]
        if caller.role != RESIDENT and not domain.is_city(caller):
            scope = []
        found = self.posts.feed_page(
            scope, domain.timestamp(), before=before, limit=limit + 1, category=category,
            city_only=domain.is_city(caller)) if scope else []
        more = len(found) > limit
        found = found[:limit]
        last = found[-1] if found else None
        return {
            "items": self._present(caller, found),
            "next_cursor": encode_cursor([last.published_at, last.id]) if more else None,
        }

    @entrypoint
    def get_translation(self, caller, post_id, lang):
        """The author's own text in `lang` ("machine": false). Without one: unavailable (the
        machine translation service answers those)."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        found = domain.translation(post, lang)
        if found is None:
            raise DomainError(errors.UNAVAILABLE, "translation unavailable")
        return found

    # -- comments

    @entrypoint
    def add_comment(self, caller, post_id, body, idempotency_key=None):
        caller = Caller.from_dict(caller)

        def create():
            post = self._readable_post(caller, post_id)
            comment = domain.new_comment(caller, post, body, _now())
            if not self.posts.add_comment(comment):
                raise errors.not_found("post not found")  # deleted meanwhile
            event, payload = domain.comment_created(comment, post)
            self.dispatch(event.name, payload)
            metrics.COMMENTS_CREATED.labels(post.municipality_id).inc()
            authors = self.posts.authors([comment.author_id])
            cities = self.posts.municipality_names([comment.municipality_id])
            return domain.present_comment(comment, caller, authors, cities)

        return self.idempotency.run(caller, "add_comment", idempotency_key,
                                    {"post_id": post_id, "body": body}, create)

    @entrypoint
    def list_comments(self, caller, post_id, cursor=None, limit=None):
        """A post's comments, oldest first (a conversation reads downwards)."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        after = domain.check_position(decode_cursor(cursor))
        post = self._readable_post(caller, post_id)
        domain.require_comment_reader(caller, post)
        found = self.posts.comments_page(post.id, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        authors = self.posts.authors(c.author_id for c in found)
        cities = self.posts.municipality_names([post.municipality_id])
        last = found[-1] if found else None
        return {
            "items": [domain.present_comment(c, caller, authors, cities) for c in found],
            "next_cursor": encode_cursor([last.created_at, last.id]) if more else None,
        }

    # -- thanks

    def _reaction_answer(self, post_id, kind, mine):
        post = self.posts.get_post(post_id)
        return {"post_id": post_id, "kind": kind,
                "count": post.thanks_count if post else 0, "mine": mine}

    @entrypoint
    def add_reaction(self, caller, post_id, kind):
        """Thank a post: one per user per kind; repeating it changes nothing (idempotent)."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        domain.check_reaction_kind(kind)
        domain.require_participant(caller, post)
        instant = domain.timestamp()
        if self.posts.add_reaction(post, caller.user_id, kind, instant, domain.iso_week(instant)):
            metrics.REACTIONS.labels(post.municipality_id).inc()
        return self._reaction_answer(post.id, kind, True)

    @entrypoint
    def remove_reaction(self, caller, post_id, kind):
        """Take one's thanks back; not having given it is fine (idempotent)."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        domain.check_reaction_kind(kind)
        domain.require_participant(caller, post)
        self.posts.remove_reaction(post.id, caller.user_id, kind)
        return self._reaction_answer(post.id, kind, False)

    # -- reports

    @entrypoint
    def report_content(self, caller, post_id, reason, note=None, comment_id=None,
                       idempotency_key=None):
        """A resident reports a post (or one of its comments): one report per person per
        content; moderation hears `content_reported`."""
        caller = Caller.from_dict(caller)
        request = {"post_id": post_id, "reason": reason, "note": note, "comment_id": comment_id}

        def create():
            domain.check_report(reason, note, comment_id)
            post = self._readable_post(caller, post_id)
            if caller.role != RESIDENT:
                raise errors.forbidden("reports are for residents")
            kind, content_id, author_id = "post", post.id, post.author_id
            if comment_id is not None:
                comment = self.posts.get_comment(comment_id)
                if comment is None or comment.post_id != post.id:
                    raise errors.not_found("comment not found")
                kind, content_id, author_id = "comment", comment.id, comment.author_id
            report = {
                "content_kind": kind, "content_id": content_id, "post_id": post.id,
                "reporter_id": caller.user_id, "reporter_household_id": caller.household_id or "",
                "reason": reason, "note": (note or "").strip(), "author_id": author_id,
                "municipality_id": post.municipality_id,
                "neighbourhood_id": post.neighbourhood_id or post.audience[0],
                "reported_at": domain.timestamp(),
            }
            if not self.posts.add_report(report):
                raise errors.conflict("you already reported this")
            event, payload = domain.content_reported(report)
            self.dispatch(event.name, payload)
            metrics.REPORTS.labels(post.municipality_id).inc()
            return {k: report[k] for k in ("content_kind", "content_id", "post_id", "reason",
                                           "reported_at")}

        return self.idempotency.run(caller, "report_content", idempotency_key, request, create)

    # -- the city

    @entrypoint
    def create_announcement(self, caller, announcement, idempotency_key=None):
        """Staff publish to one, several or all neighbourhoods of their municipality; urgent
        flag; `publish_at` schedules it; `translations` by the author per language."""
        caller = Caller.from_dict(caller)

        def create():
            domain.require_announcer(caller)
            created = domain.new_announcement(caller, announcement, self._visible_ids(caller),
                                              _now())
            self._publish(created)
            return self._present(caller, [created])[0]

        return self.idempotency.run(caller, "create_announcement", idempotency_key,
                                    announcement, create)

    @entrypoint
    def list_announcements(self, caller, cursor=None, limit=None):
        """The municipality's announcements for its staff, scheduled ones included."""
        caller = Caller.from_dict(caller)
        if not domain.is_city(caller) or not caller.municipality_id:
            raise errors.forbidden("announcements are listed for the city's accounts")
        limit = page_limit(limit)
        before = domain.check_position(decode_cursor(cursor))
        found = self.posts.announcements(caller.municipality_id, before=before, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        now = domain.timestamp()
        items = self._present(caller, found)
        for item, post in zip(items, found):
            item["scheduled"] = post.published_at > now
            item["translations"] = post.translations
        last = found[-1] if found else None
        return {"items": items,
                "next_cursor": encode_cursor([last.published_at, last.id]) if more else None}

    @entrypoint
    def statistics(self, caller, municipality_id=None):
        """Posts, comments and thanks per neighbourhood, posts per category, all three per ISO
        week: counts only, never text."""
        caller = Caller.from_dict(caller)
        municipality_id = municipality_id or caller.municipality_id
        domain.require_statistics_reader(caller, municipality_id)
        counts = self.posts.statistics(municipality_id, domain.timestamp())
        return dict(counts, municipality_id=municipality_id)

    @entrypoint
    def export_user(self, caller):
        """Everything the feed holds that the caller wrote or did (GDPR art. 15 and 20)."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return domain.export(self.posts.posts_by(caller.user_id),
                             self.posts.comments_by(caller.user_id),
                             self.posts.reactions_by(caller.user_id),
                             self.posts.reports_by(caller.user_id))

    # -- identity's events: the authors' names, the city's name, and erasure

    @event_handler(events.MUNICIPALITY_CREATED)
    def on_municipality_created(self, payload):
        self.posts.record_municipality(payload["municipality_id"], payload.get("name") or "")

    @event_handler(events.USER_REGISTERED)
    def on_user_registered(self, payload):
        self.posts.upsert_author(domain.author_from_registration(payload))

    @event_handler(events.USER_UPDATED)
    def on_user_updated(self, payload):
        changes = domain.author_changes(payload.get("changes"))
        if changes:
            self.posts.update_author(payload["user_id"], **changes)

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        """GDPR art. 17: the person's posts (with the comments under them), comments and thanks
        are deleted, not anonymised — what they wrote is theirs and may name them. Deletions
        are announced before they happen, so a retry announces again rather than never."""
        user_id = payload["user_id"]
        for post in self.posts.posts_by(user_id):
            event, deleted = domain.post_deleted(post)
            self.dispatch(event.name, deleted)
        self.posts.erase_user(user_id)

    # == end of posts and feed; chat and notifications sections follow ==========================
