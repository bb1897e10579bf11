"""Feed: posts, comments, reactions, announcements, notifications and chat.

Every RPC takes the caller; who sees what is in services/feed/domain.py's docstring. Which
neighbourhoods a caller may see is the neighbourhood service's answer (asked per call, with a
timeout), never a copy kept here.

Layout: the service class with its dependencies and the posts/feed entrypoints come first; other
parts of the feed (chat, notifications) append their own marked sections below."""
from dataclasses import replace
from datetime import datetime, timezone

from nameko.events import EventDispatcher

from contracts import errors, events, rpc, services
from contracts.caller import RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit import disclosure, metrics
from servicekit.nameko_extensions import (
    IdempotencyKeys, QuartierService, ServiceRpc, event_handler, rpc as entrypoint,
)
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from servicekit.suspension import require_not_suspended
from services.feed import chat, domain, inbox
from services.feed.dependencies import Chat, Inbox, Posts

# The neighbourhood service answers visibility from its own store; a slow answer must not hold a
# feed worker for the gateway's whole RPC timeout.
VISIBILITY_TIMEOUT = 3.0
# Moderation screens a post or comment before it is stored; it scores one text in milliseconds,
# so a longer wait means it is down: refuse (503) rather than publish unscreened.
MODERATION_TIMEOUT = 3.0
# The translation service answers within its provider deadline (3 s by default) plus its store.
TRANSLATE_TIMEOUT = 6.0


def _now():
    return datetime.now(timezone.utc)


class FeedService(QuartierService):
    name = services.FEED

    posts = Posts()
    idempotency = IdempotencyKeys()
    neighbourhoods = ServiceRpc()
    moderation = ServiceRpc()
    translation = ServiceRpc()
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

    # -- moderation before publication (issue 5): see services/feed/domain.py "moderation"

    def _require_not_suspended(self, caller):
        # Moderation's answer, not a copy kept here (why: servicekit/suspension.py).
        require_not_suspended(self.moderation, caller)

    def _screen(self, caller, kind, content_id, text, language=None, post_id=None):
        """The state to store the content in ("" or "held"); a block is refused (422) with
        moderation's reasons. Fails closed: moderation not answering → unavailable (503), and
        nothing is stored — an unscreened advert must not slip through while it is down."""
        try:
            result = self.moderation.call(
                rpc.moderation.SCREEN, timeout=MODERATION_TIMEOUT,
                caller=SYSTEM_CALLER.to_dict(), municipality_id=caller.municipality_id,
                content_kind=kind, text=text, content_id=content_id, author_id=caller.user_id,
                neighbourhood_id=caller.neighbourhood_id, post_id=post_id, language=language)
        except DomainError as exc:
            if exc.code in (errors.TIMEOUT, errors.UNAVAILABLE):
                raise DomainError(errors.UNAVAILABLE, "moderation is not answering: nothing "
                                  "was published; please try again shortly") from None
            raise
        return domain.after_screening(result)

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
            self._require_not_suspended(caller)
            created = domain.new_post(caller, post, self._visible_ids(caller), _now())
            # Held posts are stored held in the same write (never on a feed, even briefly).
            created = replace(created, moderation=self._screen(
                caller, "post", created.id, domain.screening_text(created.title, created.body),
                created.language or None))
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
        self._require_not_suspended(caller)
        # An edit is screened like a new post (otherwise "hello" edited into an advert passes),
        # before anything is stored: a block changes nothing, a hold is stored held in the same
        # write as the new text, so no reader ever sees it published. A post already held or
        # hidden stays so whatever the edit.
        held = self._screen(caller, "post", post.id,
                            domain.screening_text(edited.title, edited.body),
                            edited.language or None)
        stored = self.posts.replace_post(replace(edited, moderation=domain.after_edit_screening(
            post.moderation, held)))
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
        """The post in `lang`: the author's own text ("machine": false) wins; otherwise the
        translation service's (cached or machine-made), asked only once the caller may read
        the post."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        found = domain.translation(post, lang)
        if found is not None:
            return found
        return self._translate(caller, domain.translatable(post), lang)

    @entrypoint
    def get_comment_translation(self, caller, post_id, comment_id, lang):
        """A comment in `lang` (comments have no author-supplied translations)."""
        caller = Caller.from_dict(caller)
        post = self._readable_post(caller, post_id)
        domain.require_comment_reader(caller, post)
        comment = self.posts.get_comment(comment_id) if isinstance(comment_id, str) else None
        if comment is None or comment.post_id != post.id:
            raise errors.not_found("comment not found")
        if comment.moderation and comment.author_id != caller.user_id:
            # Held or hidden: others see a placeholder without text, so there is none to
            # translate either.
            raise errors.not_found("comment not found")
        return self._translate(caller, domain.translatable_comment(comment), lang)

    def _translate(self, caller, content, lang):
        # Kept apart from the posts' code: the only feed line that knows about machine
        # translation. The deadline covers the provider's retries (TRANSLATION_DEADLINE_SECONDS).
        return self.translation.call(rpc.translation.TRANSLATE, timeout=TRANSLATE_TIMEOUT,
                                     caller=caller.to_dict(), content=content, lang=lang)

    @entrypoint
    def content_text(self, caller, kind, content_id):
        """A post's or comment's text for the translation service's language detection: the
        platform's own processes only."""
        caller = Caller.from_dict(caller)
        if not caller.is_system:
            raise errors.forbidden("for the platform's services")
        if kind == "post":
            post = self.posts.get_post(content_id) if isinstance(content_id, str) else None
            if post is None:
                raise errors.not_found("post not found")
            return domain.translatable(post)
        if kind == "comment":
            comment = self.posts.get_comment(content_id) \
                if isinstance(content_id, str) else None
            if comment is None:
                raise errors.not_found("comment not found")
            return domain.translatable_comment(comment)
        raise errors.invalid("kind: post or comment")

    @entrypoint
    def announcement_text(self, caller, post_id):
        """An announcement's texts (the author's translations too), urgency and audience, for
        the notification service's e-mails: the platform's own processes only."""
        caller = Caller.from_dict(caller)
        if not caller.is_system:
            raise errors.forbidden("for the platform's services")
        post = self.posts.get_post(post_id) if isinstance(post_id, str) else None
        if post is None or not post.is_announcement:
            raise errors.not_found("announcement not found")
        return domain.announcement_text(post)

    # -- comments

    @entrypoint
    def add_comment(self, caller, post_id, body, idempotency_key=None):
        caller = Caller.from_dict(caller)

        def create():
            post = self._readable_post(caller, post_id)
            comment = domain.new_comment(caller, post, body, _now())
            self._require_not_suspended(caller)
            comment = replace(comment, moderation=self._screen(
                caller, "comment", comment.id, comment.body, post_id=post.id))
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
            author_role = post.author_role
            if comment_id is not None:
                comment = self.posts.get_comment(comment_id)
                if comment is None or comment.post_id != post.id:
                    raise errors.not_found("comment not found")
                kind, content_id, author_id = "comment", comment.id, comment.author_id
                author_role = comment.author_role
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
            # The author's role rides on the event only: the stored report stays the reporter's.
            event, payload = domain.content_reported(dict(report, author_role=author_role))
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
    def statistics(self, caller, municipality_id=None, small_cell=None):
        """Posts, comments and thanks per neighbourhood, posts per category, all three per ISO
        week: counts only, never text; counts under the small-cell threshold (`small_cell`,
        never under the platform's 10) hidden."""
        caller = Caller.from_dict(caller)
        municipality_id = municipality_id or caller.municipality_id
        domain.require_statistics_reader(caller, municipality_id)
        counts = self.posts.statistics(municipality_id, domain.timestamp())
        return dict(domain.statistics_view(counts, disclosure.threshold(small_cell)),
                    municipality_id=municipality_id)

    @entrypoint
    def export_user(self, caller):
        """Everything the feed holds that the caller wrote or did (GDPR art. 15 and 20)."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        exported = domain.export(self.posts.posts_by(caller.user_id),
                                 self.posts.comments_by(caller.user_id),
                                 self.posts.reactions_by(caller.user_id),
                                 self.posts.reports_by(caller.user_id))
        exported.update(self._export_chat_and_inbox(caller.user_id))  # see the chat section
        return exported

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
        self.finish_erasure()

    # == end of posts and feed; chat and notifications sections follow ==========================

    # == chat (issue 4) ==========================================================================
    # Private and group conversations between residents; the rules are in services/feed/chat.py.
    # Every entrypoint refuses the city's accounts before it looks anything up.

    chat_store = Chat()

    def _chatter(self, caller):
        caller = Caller.from_dict(caller)
        chat.require_chatter(caller)
        return caller

    def _visible_to(self, author):
        """The neighbourhoods another resident sees, from the neighbourhood service: asked with
        that resident as the caller (its answer about a resident rests only on its own membership
        records), so the feed keeps no copy of anyone's follows."""
        resident = Caller(user_id=author.user_id, role=RESIDENT,
                          municipality_id=author.municipality_id,
                          neighbourhood_id=author.neighbourhood_id)
        return self.neighbourhoods.call(
            rpc.neighbourhood.VISIBLE_NEIGHBOURHOOD_IDS, timeout=VISIBILITY_TIMEOUT,
            caller=resident.to_dict())

    def _require_reachable(self, caller, user_ids):
        """Each of `user_ids` is a resident the caller shares a neighbourhood with, and no block
        stands between them and the caller."""
        authors = self.posts.authors(user_ids)
        mine = self._visible_ids(caller)
        for user_id in user_ids:
            other = authors.get(user_id)
            theirs = self._visible_to(other) if (
                other is not None and other.role == RESIDENT
                and other.municipality_id == caller.municipality_id) else []
            chat.require_reachable(caller, other, mine, theirs)
        chat.require_no_block(self.chat_store.blocks_between(caller.user_id, user_ids))

    def _member_conversation(self, caller, conversation_id):
        found = self.chat_store.get_conversation(conversation_id) if isinstance(
            conversation_id, str) and len(conversation_id) <= chat.ID_MAX else None
        return chat.require_member(caller, found)

    def _conversation_view(self, caller, conversation):
        authors = self.posts.authors(conversation.member_ids)
        unread = self.inbox_store.unread_chat_counts(caller.user_id, [conversation.id])
        return chat.present_conversation(conversation, caller, authors,
                                         unread.get(conversation.id, 0))

    @entrypoint
    def start_conversation(self, caller, conversation, idempotency_key=None):
        """{member_ids: [one id]} opens the direct conversation with that resident (the same one
        every time); {member_ids: [...], title} starts a group the caller owns. `created` says
        whether it is new."""
        caller = self._chatter(caller)

        def create():
            kind, others, title = chat.check_new_conversation(caller, conversation)
            self._require_not_suspended(caller)
            self._require_reachable(caller, others)
            new = chat.new_conversation(caller, kind, others, title, domain.timestamp())
            if kind == chat.DIRECT:
                stored, created = self.chat_store.open_direct(new)
            else:
                stored, created = self.chat_store.create_group(new), True
            return dict(self._conversation_view(caller, stored), created=created)

        return self.idempotency.run(caller, "start_conversation", idempotency_key,
                                    conversation, create)

    @entrypoint
    def list_conversations(self, caller, cursor=None, limit=None):
        """The caller's conversations, latest activity first."""
        caller = self._chatter(caller)
        limit = page_limit(limit)
        before = chat.check_position(decode_cursor(cursor))
        found = self.chat_store.conversations_of(caller.user_id, before=before, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        authors = self.posts.authors({m for c in found for m in c.members})
        unread = self.inbox_store.unread_chat_counts(caller.user_id, [c.id for c in found])
        last = found[-1] if found else None
        return {
            "items": [chat.present_conversation(c, caller, authors, unread.get(c.id, 0))
                      for c in found],
            "next_cursor": encode_cursor([last.last_message_at, last.id]) if more else None,
        }

    @entrypoint
    def get_conversation(self, caller, conversation_id):
        caller = self._chatter(caller)
        return self._conversation_view(caller, self._member_conversation(caller, conversation_id))

    @entrypoint
    def add_conversation_members(self, caller, conversation_id, member_ids,
                                 idempotency_key=None):
        """The group's owner adds residents they share a neighbourhood with, up to the cap.
        Naming someone already in changes nothing."""
        caller = self._chatter(caller)

        def add():
            conversation = self._member_conversation(caller, conversation_id)
            chat.require_owner(caller, conversation)
            self._require_not_suspended(caller)
            new = [m for m in chat.check_new_members(member_ids)
                   if m not in conversation.members]
            if not new:
                return self._conversation_view(caller, conversation)
            chat.require_room(conversation, new)
            self._require_reachable(caller, new)
            stored = self.chat_store.add_members(conversation.id, new, domain.timestamp(),
                                                 chat.GROUP_MAX_MEMBERS)
            if stored is None:  # filled up (or emptied) meanwhile
                chat.require_room(self._member_conversation(caller, conversation.id), new)
                raise errors.conflict("the group changed meanwhile; try again")
            return self._conversation_view(caller, stored)

        return self.idempotency.run(caller, "add_conversation_members", idempotency_key,
                                    {"conversation_id": conversation_id,
                                     "member_ids": member_ids}, add)

    @entrypoint
    def leave_conversation(self, caller, conversation_id):
        """The caller leaves (then gets not_found for it, like anyone outside it)."""
        caller = self._chatter(caller)
        conversation = self._member_conversation(caller, conversation_id)
        self.chat_store.remove_member(conversation.id, caller.user_id)
        self.inbox_store.mark_key_read(caller.user_id, inbox.chat_key(conversation.id))
        return {"conversation_id": conversation.id, "left": True}

    @entrypoint
    def send_message(self, caller, conversation_id, body, idempotency_key=None):
        """A member writes; refused (forbidden) when someone in the conversation blocked them,
        and past MESSAGES_PER_MINUTE (rate_limited). The other members are notified through
        `chat_message_sent`."""
        caller = self._chatter(caller)

        def create():
            conversation = self._member_conversation(caller, conversation_id)
            now = _now()
            message = chat.new_message(caller, conversation, body, domain.timestamp(now))
            self._require_not_suspended(caller)
            chat.require_pace(self.chat_store.messages_since(
                caller.user_id, chat.pace_window_start(now)))
            blockers = [blocker for blocker, blocked in self.chat_store.blocks_between(
                caller.user_id, conversation.member_ids) if blocked == caller.user_id]
            chat.require_writable(caller.user_id, conversation, blockers)
            if not self.chat_store.add_message(message):
                raise errors.not_found("conversation not found")  # emptied meanwhile
            event, payload = chat.message_sent(conversation, message)
            self.dispatch(event.name, payload)
            return chat.present_message(message, caller,
                                        self.posts.authors([caller.user_id]))

        return self.idempotency.run(caller, "send_message", idempotency_key,
                                    {"conversation_id": conversation_id, "body": body}, create)

    @entrypoint
    def list_messages(self, caller, conversation_id, cursor=None, limit=None):
        """Newest first, from when the caller joined; `next_cursor` continues below the last
        one. Reading the first page marks the conversation's notification read."""
        caller = self._chatter(caller)
        limit = page_limit(limit)
        before = chat.check_position(decode_cursor(cursor))
        conversation = self._member_conversation(caller, conversation_id)
        found = self.chat_store.messages_page(
            conversation.id, conversation.members[caller.user_id], before=before,
            limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        if before is None:
            self.inbox_store.mark_key_read(caller.user_id, inbox.chat_key(conversation.id))
        authors = self.posts.authors({m.author_id for m in found if m.author_id})
        last = found[-1] if found else None
        return {
            "items": [chat.present_message(m, caller, authors) for m in found],
            "next_cursor": encode_cursor([last.created_at, last.id]) if more else None,
        }

    @entrypoint
    def report_message(self, caller, conversation_id, message_id, reason, note=None,
                       idempotency_key=None):
        """A member reports a message they can read (once; again: conflict). Moderation hears
        `content_reported` (content_kind "chat_message") and may then read that message's text,
        and nothing else of the conversation, through `reported_message`."""
        caller = self._chatter(caller)
        request = {"conversation_id": conversation_id, "message_id": message_id,
                   "reason": reason, "note": note}

        def create():
            domain.check_report(reason, note, None)
            conversation = self._member_conversation(caller, conversation_id)
            found = self.chat_store.get_message(message_id) if isinstance(
                message_id, str) and len(message_id) <= chat.ID_MAX else None
            message = chat.readable_message(caller, conversation, found)
            author = self.posts.authors([message.author_id]).get(message.author_id)
            report = chat.new_report(caller, conversation, message, reason, note, author,
                                     domain.timestamp())
            if not self.chat_store.add_report(report):
                raise errors.conflict("you already reported this message")
            event, payload = chat.content_reported(report)
            self.dispatch(event.name, payload)
            metrics.REPORTS.labels(conversation.municipality_id).inc()
            return chat.report_view(report)

        return self.idempotency.run(caller, "report_message", idempotency_key, request, create)

    @entrypoint
    def reported_message(self, caller, message_id):
        """For moderation: a reported message's text (as it was when reported) with its reports.
        System callers and the municipality's moderators and admins only; a message nobody
        reported is not_found, whoever asks."""
        caller = Caller.from_dict(caller)
        if not caller.is_system and caller.role not in ("moderator", "admin"):
            raise errors.forbidden("reported messages are for moderation")
        reports = self.chat_store.reports_of_message(message_id) if isinstance(
            message_id, str) and len(message_id) <= chat.ID_MAX else []
        if not reports:
            raise errors.not_found("reported message not found")
        chat.require_moderation_reader(caller, reports[0]["municipality_id"])
        return chat.moderation_view(reports)

    # -- blocks

    @entrypoint
    def block_user(self, caller, user_id):
        """The blocked person can no longer write in any conversation the caller is in, nor
        start one with them. Idempotent."""
        caller = self._chatter(caller)
        if user_id == caller.user_id:
            raise errors.invalid("you cannot block yourself")
        other = self.posts.authors([user_id]).get(user_id) if isinstance(
            user_id, str) and len(user_id) <= chat.ID_MAX else None
        if other is None or other.municipality_id != caller.municipality_id:
            raise errors.not_found("user not found")
        self.chat_store.block(caller.user_id, user_id, domain.timestamp())
        return {"user_id": user_id, "blocked": True}

    @entrypoint
    def unblock_user(self, caller, user_id):
        """Idempotent: not having blocked them is fine."""
        caller = self._chatter(caller)
        if isinstance(user_id, str) and len(user_id) <= chat.ID_MAX:
            self.chat_store.unblock(caller.user_id, user_id)
        return {"user_id": user_id, "blocked": False}

    @entrypoint
    def list_blocks(self, caller, cursor=None, limit=None):
        """Whom the caller blocked, oldest first."""
        caller = self._chatter(caller)
        limit = page_limit(limit)
        after = chat.check_position(decode_cursor(cursor))
        found = self.chat_store.blocks_of(caller.user_id, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        authors = self.posts.authors(b["user_id"] for b in found)
        items = [dict(b, name=chat.person(b["user_id"], authors, caller)["name"])
                 for b in found]
        last = found[-1] if found else None
        return {"items": items,
                "next_cursor": encode_cursor([last["blocked_at"], last["user_id"]])
                if more else None}

    # == notifications inbox (issue 4) ===========================================================
    # Replies, chat messages, moderation outcomes stored per person from events; the city's
    # announcements merged in at read time (why: services/feed/inbox.py).

    inbox_store = Inbox()

    def _announcements(self, caller, before, want, now, read_until, unread_only):
        """[(post, read)] of announcements to the caller's home, newest first below `before`."""
        home = caller.neighbourhood_id if caller.role == RESIDENT else None
        if not home:
            return []
        floor = inbox.announcement_floor(now, read_until, unread_only)
        bound = inbox.announcement_bound(before)
        chosen = []
        while len(chosen) < want:
            batch = self.posts.feed_page([home], domain.timestamp(now), before=bound,
                                         limit=want, category=domain.ANNOUNCEMENT)
            fresh = [p for p in batch if p.published_at > floor]
            read_ids = self.inbox_store.announcements_read(caller.user_id, [p.id for p in fresh])
            for post in fresh:
                read = inbox.announcement_is_read(post, read_until, read_ids)
                if not (unread_only and read):
                    chosen.append((post, read))
            if len(batch) < want or len(fresh) < len(batch):
                break
            bound = (batch[-1].published_at, batch[-1].id)
        return chosen[:want]

    def _unread(self, caller, now):
        read_until = self.inbox_store.read_until(caller.user_id)
        announcements = self._announcements(caller, None, inbox.ANNOUNCEMENTS_COUNTED, now,
                                            read_until, unread_only=True)
        return inbox.unread_counts(self.inbox_store.unread_counts(caller.user_id),
                                   len(announcements))

    @staticmethod
    def _inbox_owner(caller):
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system or caller.role is None:
            raise errors.forbidden("an account is required")
        return caller

    @entrypoint
    def list_notifications(self, caller, cursor=None, limit=None, unread=None):
        """The caller's notifications, newest first (`unread`: only those not read yet), with
        the unread counts by kind."""
        caller = self._inbox_owner(caller)
        limit = page_limit(limit)
        before = domain.check_position(decode_cursor(cursor))
        if unread not in (None, True, False):
            raise errors.invalid("unread must be true or false")
        now = _now()
        read_until = self.inbox_store.read_until(caller.user_id)
        stored = self.inbox_store.page(caller.user_id, before=before, limit=limit + 1,
                                       unread_only=bool(unread))
        announced = self._announcements(caller, before, limit + 1, now, read_until,
                                        bool(unread))
        authors = self.posts.authors(
            [n.actor_id for n in stored if n.actor_id] + [p.author_id for p, _ in announced])
        merged = inbox.merge(
            [inbox.present(n, caller, authors) for n in stored],
            [inbox.present_announcement(p, read, caller, authors) for p, read in announced],
            limit + 1)
        more = len(merged) > limit
        merged = merged[:limit]
        return {
            "items": merged,
            "next_cursor": encode_cursor(list(inbox.position(merged[-1]))) if more else None,
            "unread": self._unread(caller, now),
        }

    @entrypoint
    def mark_notifications_read(self, caller, request, idempotency_key=None):
        """{"ids": [...]} marks those; {"all": true, "up_to"?} marks everything up to that time
        (now by default), announcements included. Marking again changes nothing."""
        caller = self._inbox_owner(caller)

        def mark():
            now = _now()
            mode, value = inbox.check_mark_read(request, now)
            if mode == "ids":
                post_ids = [inbox.announcement_post_id(i) for i in value
                            if inbox.announcement_post_id(i)]
                marked = self.inbox_store.mark_read(
                    caller.user_id, [i for i in value if not inbox.announcement_post_id(i)])
                marked += self.inbox_store.mark_announcements_read(caller.user_id, post_ids)
            else:
                marked = self.inbox_store.mark_read_until(caller.user_id, value)
            return {"marked": marked, "unread": self._unread(caller, now)}

        return self.idempotency.run(caller, "mark_notifications_read", idempotency_key,
                                    request, mark)

    # -- what fills the inbox (each handler runs once per event, through the event inbox)

    @event_handler(events.COMMENT_CREATED)
    def notify_reply(self, payload):
        notification = inbox.reply(payload, domain.timestamp())
        if notification is not None:
            self.inbox_store.add(notification)

    @event_handler(events.CALLOUT_ISSUED)
    def notify_callout(self, payload):
        for notification in inbox.callouts(payload, domain.timestamp()):
            self.inbox_store.add(notification)

    @event_handler(events.CHAT_MESSAGE_SENT)
    def notify_chat_message(self, payload):
        for notification in inbox.chat_messages(payload):
            self.inbox_store.add_chat_message(notification)

    def _moderation_outcome(self, event, payload):
        """A chat message held or hidden by moderation becomes a placeholder (restored: shown
        again); whatever the content, its author is told."""
        state = domain.MODERATION_STATES[event.name]
        if payload.get("content_kind") == "post":
            self.posts.set_post_moderation(payload["content_id"], state)
        elif payload.get("content_kind") == "comment":
            self.posts.set_comment_moderation(payload["content_id"], state)
        if payload.get("content_kind") == chat.CONTENT_KIND:
            self.chat_store.set_message_state(payload["content_id"],
                                              chat.state_after_moderation(event.name))
        notification = inbox.moderation(event.name, payload, domain.timestamp())
        if notification is not None:
            self.inbox_store.add(notification)

    @event_handler(events.CONTENT_HELD)
    def notify_content_held(self, payload):
        self._moderation_outcome(events.CONTENT_HELD, payload)

    @event_handler(events.CONTENT_HIDDEN)
    def notify_content_hidden(self, payload):
        self._moderation_outcome(events.CONTENT_HIDDEN, payload)

    @event_handler(events.CONTENT_RESTORED)
    def notify_content_restored(self, payload):
        self._moderation_outcome(events.CONTENT_RESTORED, payload)

    @event_handler(events.USER_SUSPENDED)
    def notify_user_suspended(self, payload):
        # Only the person is told here: whether they may write is moderation's answer, asked
        # at each write (servicekit/suspension.py).
        self.inbox_store.add(inbox.suspension(payload, domain.timestamp()))

    # -- GDPR for chat and the inbox

    def _export_chat_and_inbox(self, user_id):
        return {
            "chat": chat.export(user_id, self.chat_store.conversations_with(user_id),
                                self.chat_store.messages_by(user_id),
                                self.chat_store.blocks_of(user_id, limit=10 ** 6),
                                self.chat_store.reports_by(user_id)),
            "inbox": inbox.export(self.inbox_store.notifications_of(user_id),
                                  self.inbox_store.read_until(user_id) or None),
        }

    @event_handler(events.USER_ERASED)
    def erase_chat_and_inbox(self, payload):
        """GDPR art. 17 for chat and the inbox: the person leaves every conversation; the
        messages they wrote stay in the others' threads as "deleted" placeholders, with neither
        text nor author (removing them would leave the others' answers hanging without saying
        why); their blocks, reports and inbox are deleted, and other people's notifications no
        longer name them."""
        self.chat_store.erase_user(payload["user_id"])
        self.inbox_store.erase_user(payload["user_id"])
        self.finish_erasure()
