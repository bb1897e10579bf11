"""Translation: language detection, machine and author-supplied translations, cache.

The feed owns the content and decides who reads it; it asks here (`translate`) only for text the
caller may read and has no author-supplied version of, passing the text along. This service
keeps its own records: each content's detected language with the hash of the text it was
detected on (filled from the feed's creation and edit events, so detection never delays a post,
and on first translation when an event was not handled yet), the machine translations by
(text hash, target language), and each reader's daily quota."""
from contracts import errors, events, rpc, services
from contracts.caller import SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit import metrics
from servicekit.nameko_extensions import QuartierService, ServiceRpc, event_handler
from servicekit.nameko_extensions import rpc as entrypoint
from services.translation import domain
from services.translation.dependencies import TranslatorProvider, Translations
from services.translation.providers import ProviderRefused, ProviderUnavailable

# The feed answers a content's text from its own store.
FEED_TIMEOUT = 3.0


class TranslationService(QuartierService):
    name = services.TRANSLATION

    translations = Translations()
    translator = TranslatorProvider()
    feed = ServiceRpc()

    def _source_language(self, content, text_hash):
        """The author's declared language, else the recorded detection for this very text, else
        a detection now (recorded for the next reader)."""
        if content.get("language"):
            return content["language"]
        key = domain.content_key(content)
        known = self.translations.source(key)
        if known is not None and known[0] == text_hash:
            return known[1]
        language = self.translator.detect(
            "%s\n%s" % (content.get("title") or "", content["body"]))
        self.translations.set_source(key, text_hash, language)
        return language

    @entrypoint
    def supported_languages(self, caller):
        """The configured target languages and whether machine translation is available."""
        return {"languages": list(self.translator.languages),
                "machine": self.translator.provider is not None}

    @entrypoint
    def translate(self, caller, content, lang):
        """`content` {kind: post|comment, id, title?, body, language?} in `lang`: the original
        when already in that language, else a cached or new machine translation. Only the feed
        calls this, for content the caller may read. Errors: invalid (unsupported lang, listing
        the supported ones), rate_limited (the caller's daily quota of new machine
        translations), unavailable (no provider configured, or it is down: retry_after),
        unprocessable (the provider refuses this language pair)."""
        caller = Caller.from_dict(caller)
        domain.check_target(lang, self.translator.languages)
        domain.check_content(content)
        text_hash = domain.content_hash(content)
        source = self._source_language(content, text_hash)
        if source == lang:
            return domain.answer(content, lang, source, content.get("title") or "",
                                 content["body"], machine=False)
        cached = self.translations.cached(text_hash, lang)
        metrics.TRANSLATION_CACHE.labels("hit" if cached else "miss").inc()
        if cached is not None:
            return domain.answer(content, lang, source, cached["title"], cached["body"],
                                 machine=True)
        provider = self.translator.provider
        if provider is None:
            raise DomainError(errors.UNAVAILABLE, "translation unavailable: no machine "
                              "translation provider is configured")
        day = domain.quota_day()
        who = caller.user_id or "anonymous"
        if not self.translations.take_quota(who, day, self.translator.daily_quota):
            raise DomainError(errors.RATE_LIMITED, "at most %d machine translations a day" %
                              self.translator.daily_quota, {
                                  "limit": self.translator.daily_quota,
                                  "retry_after": domain.seconds_to_next_day()})
        texts = [content.get("title") or "", content["body"]]
        try:
            title, body = provider.translate(texts, source, lang)
        except ProviderUnavailable as exc:
            self.translations.give_back_quota(who, day)
            raise DomainError(errors.UNAVAILABLE, "translation unavailable: the translation "
                              "provider does not answer", {"retry_after": exc.retry_after})
        except ProviderRefused:
            self.translations.give_back_quota(who, day)
            raise DomainError(errors.UNPROCESSABLE, "the translation provider cannot translate "
                              "this text into %s" % lang, {"lang": lang, "source": source})
        self.translations.put_cached(text_hash, lang, title, body, provider.name,
                                     content_key=domain.content_key(content),
                                     author_id=content.get("author_id"))
        return domain.answer(content, lang, source, title, body, machine=True)

    # -- detection at creation, from the feed's events

    def _detect_from_feed(self, kind, content_id):
        try:
            content = self.feed.call(rpc.feed.CONTENT_TEXT, timeout=FEED_TIMEOUT,
                                     caller=SYSTEM_CALLER.to_dict(), kind=kind,
                                     content_id=content_id)
        except DomainError as exc:
            if exc.code == errors.NOT_FOUND:
                return  # deleted meanwhile: nothing to detect
            raise
        self._source_language(content, domain.content_hash(content))

    @event_handler(events.POST_CREATED)
    def on_post_created(self, payload):
        self._detect_from_feed("post", payload["post_id"])

    @event_handler(events.POST_UPDATED)
    def on_post_updated(self, payload):
        self._detect_from_feed("post", payload["post_id"])

    @event_handler(events.COMMENT_CREATED)
    def on_comment_created(self, payload):
        self._detect_from_feed("comment", payload["comment_id"])

    @event_handler(events.POST_DELETED)
    def on_post_deleted(self, payload):
        """A deleted (or erased) post's language and translations go with it, those of its
        earlier versions too. (Comments have no deletion event: an erasure finds its author's
        by the author recorded with each cached translation.)"""
        key = domain.content_key({"kind": "post", "id": payload["post_id"]})
        known = self.translations.source(key)
        if known is not None:
            self.translations.forget_text(known[0])
        self.translations.forget_content(key)
        self.translations.forget_source(key)

    # -- personal data: the daily quota counts

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        """Their daily counts, and every cached translation of what they wrote."""
        self.translations.forget_user(payload["user_id"])
        self.translations.forget_author(payload["user_id"])
        self.finish_erasure()

    @entrypoint
    def export_user(self, caller):
        """What this service holds about the caller (GDPR art. 15 and 20): how many machine
        translations they asked for per day. It keeps no record of what they read."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return {"machine_translations_per_day": self.translations.quotas_of(caller.user_id)}
