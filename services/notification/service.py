"""Notification: who is told what on which channel outside the app — e-mail now (SMTP, or .eml
files under var/mail/ on one machine), each person's preferences, and the fan-out of the city's
urgent announcements in batches any instance may take. The in-app inbox stays the feed's.

Addresses stay with identity: this service keeps ids, neighbourhoods and roles (from identity's
events) and asks identity for a batch's addresses and languages only when it sends."""
import email.policy
import logging

import eventlet

from nameko.events import EventDispatcher

from contracts import errors, events, rpc, services
from contracts.caller import SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit import metrics
from servicekit.nameko_extensions import QuartierService, ServiceRpc, event_handler
from servicekit.nameko_extensions import rpc as entrypoint
from services.notification import domain, messages, push
from services.notification.dependencies import Mailer, Notifications, Pusher, UnsubscribeSecret

log = logging.getLogger(__name__)

FEED_TIMEOUT = 5.0
PUSH_CONCURRENCY = 16
IDENTITY_TIMEOUT = 10.0
ANNOUNCEMENT_CATEGORY = "announcement"


class NotificationService(QuartierService):
    name = services.NOTIFICATION

    notifications = Notifications()
    mail = Mailer()
    unsubscribe_secret = UnsubscribeSecret()
    pusher = Pusher()
    feed = ServiceRpc()
    identity = ServiceRpc()
    dispatch = EventDispatcher()

    # -- preferences

    @entrypoint
    def get_settings(self, caller):
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return domain.merged_settings(self.notifications.settings(caller.user_id))

    @entrypoint
    def put_settings(self, caller, settings):
        """Partial: the kinds and channels named change, the others keep their value."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        request = domain.check_settings(settings)
        updated = domain.apply_settings(self.notifications.settings(caller.user_id), request)
        self.notifications.put_settings(caller.user_id, updated)
        return updated

    @entrypoint
    def unsubscribe(self, caller, token):
        """One-click unsubscribe: the signed token names the person and the kind; e-mail for
        that kind stops. Idempotent; a forged or altered token is `invalid`."""
        user_id, kind = domain.read_unsubscribe_token(self.unsubscribe_secret, token)
        settings = domain.without_channel(self.notifications.settings(user_id), kind, "email")
        self.notifications.put_settings(user_id, settings)
        return {"kind": kind, "channel": "email", "subscribed": False}

    # -- Web Push subscriptions

    @entrypoint
    def push_public_key(self, caller):
        """The VAPID public key browsers subscribe with (applicationServerKey)."""
        return {"public_key": self.pusher.public_key}

    @entrypoint
    def add_push_subscription(self, caller, subscription):
        """A browser's subscription (its endpoint, p256dh and auth keys) for the caller. The
        endpoint must be https on a public host. Subscribing an endpoint again replaces it."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        checked = push.check_subscription(subscription, self.pusher.allow_private)
        if self.notifications.count_subscriptions(caller.user_id) >= \
                push.SUBSCRIPTIONS_PER_PERSON:
            raise errors.conflict("at most %d push subscriptions; remove one first"
                                  % push.SUBSCRIPTIONS_PER_PERSON)
        self.notifications.add_subscription(caller.user_id, checked)
        return {"id": checked["id"], "endpoint": checked["endpoint"]}

    @entrypoint
    def remove_push_subscription(self, caller, subscription_id):
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        if not isinstance(subscription_id, str) or not self.notifications.remove_subscription(
                caller.user_id, subscription_id):
            raise errors.not_found("push subscription not found")
        return {"removed": True}

    # -- account e-mails (identity's)

    @entrypoint
    def send_account_mail(self, caller, kind, to, language, link):
        """Send identity's account e-mail (a password-reset link) now, whatever the person's
        preferences: they asked for it. System only; nothing of it is stored here."""
        caller = Caller.from_dict(caller)
        if not caller.is_system:
            raise errors.forbidden("for the platform's services")
        if kind not in messages.ACCOUNT_KINDS or not isinstance(to, str) or "@" not in to \
                or not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise errors.invalid("an account e-mail: kind, to, link")
        message = messages.account_mail(self.mail.mail_from, to, language, kind, link,
                                        self.mail.domain)
        problem = self.mail.send_batch(
            [("account", to, message.as_bytes(policy=email.policy.SMTP))]).get("account")
        metrics.NOTIFICATION_DELIVERIES.labels("email", "sent" if problem is None
                                               else "failed").inc()
        if problem is not None:
            raise DomainError(errors.UNAVAILABLE, "the e-mail could not be sent")
        return {"sent": True}

    # -- the city's announcements

    @entrypoint
    def announcement_deliveries(self, caller, announcement_id):
        """Progress and counts of one announcement's fan-out, for its municipality's staff."""
        caller = Caller.from_dict(caller)
        if not caller.is_system and caller.role not in ("city_staff", "admin"):
            raise errors.forbidden("for the city's staff")
        fanout = self.notifications.fanout(announcement_id) \
            if isinstance(announcement_id, str) else None
        if fanout is None or (not caller.is_system and caller.role != "admin"
                              and fanout["municipality_id"] != caller.municipality_id):
            raise errors.not_found("no deliveries for this announcement")
        return domain.delivery_summary(fanout,
                                       self.notifications.delivery_counts(announcement_id))

    def _announcement(self, post_id):
        return self.feed.call(rpc.feed.ANNOUNCEMENT_TEXT, timeout=FEED_TIMEOUT,
                              caller=SYSTEM_CALLER.to_dict(), post_id=post_id)

    @event_handler(events.POST_CREATED)
    def on_post_created(self, payload):
        """An urgent announcement fans out at once: its audience's residents are split into
        batches, each one message on this service's own event queue."""
        if payload.get("category") != ANNOUNCEMENT_CATEGORY:
            return
        announcement = self._announcement(payload["post_id"])
        if not announcement.get("urgent"):
            return  # ordinary announcements wait for the digests
        if (payload.get("published_at") or "") > domain.timestamp():
            # Scheduled: telling people now would announce it before it is visible. Sending it
            # at its time needs a scheduler here (see docs/operations.md): not yet.
            log.info("notification: scheduled urgent announcement %s not sent outside the app",
                     payload["post_id"])
            return
        recipients = self.notifications.residents_in(payload["municipality_id"],
                                                     payload.get("neighbourhood_ids") or [])
        batch_events = domain.batch_events(payload["post_id"], payload["municipality_id"],
                                           recipients, self.mail.batch_size)
        self.notifications.start_fanout(payload["post_id"], payload["municipality_id"],
                                        len(set(recipients)), len(batch_events),
                                        domain.timestamp())
        # Dispatched again on a redelivered event too: each batch is idempotent by its
        # deliveries' keys, and a crash between the record and the dispatch loses nothing.
        for event, batch in batch_events:
            self.dispatch(event.name, batch)

    @event_handler(events.ANNOUNCEMENT_BATCH_QUEUED)
    def on_announcement_batch(self, payload):
        """One batch: its e-mails through one SMTP connection, then its pushes. Deliveries are
        claimed and recorded per batch in one write each; a batch with failures is parked and
        retried, and only what failed or never went is tried again."""
        announcement = self._announcement(payload["announcement_id"])
        kind = domain.announcement_kind(announcement)
        user_ids = payload["user_ids"]
        addresses = self.identity.call(rpc.identity.MAIL_RECIPIENTS, timeout=IDENTITY_TIMEOUT,
                                       caller=SYSTEM_CALLER.to_dict(), user_ids=user_ids)
        stored = self.notifications.settings_of(user_ids)
        now = domain.now_utc()
        settings = {user_id: domain.merged_settings(stored.get(user_id)) for user_id in user_ids}
        failed = self._email_batch(payload, announcement, kind, user_ids, settings, addresses,
                                   now)
        failed += self._push_batch(payload, announcement, kind, user_ids, settings, addresses,
                                   now)
        if failed:
            # Parked by the inbox and retried with backoff; the sent ones are not sent again.
            raise DomainError(errors.UNAVAILABLE, "%d deliveries of batch %s failed"
                              % (len(failed), payload["batch"]))
        self.notifications.batch_done(payload["announcement_id"], payload["batch"])

    def _email_batch(self, payload, announcement, kind, user_ids, settings, addresses, now):
        wanted = [user_id for user_id in user_ids
                  if (addresses.get(user_id) or {}).get("email")
                  and domain.wants(settings[user_id], kind, "email", now)]
        claimed = self.notifications.claim_deliveries(payload["announcement_id"], wanted,
                                                      "email")
        mails = messages.AnnouncementMails(
            self.mail.mail_from, self.mail.domain, payload["announcement_id"], kind,
            lambda language: domain.text_for(announcement, language)[:2])
        outgoing = []
        for user_id in claimed:
            person = addresses[user_id]
            token = domain.unsubscribe_token(self.unsubscribe_secret, user_id, kind)
            link = "%s/api/v1/notifications/unsubscribe?token=%s" % (self.mail.public_url, token)
            outgoing.append((user_id, person["email"], mails.build(
                person["email"], person.get("language") or "en", link)))
        outcome = self.mail.send_batch(outgoing)
        statuses = {user_id: "sent" if problem is None else "failed"
                    for user_id, problem in outcome.items()}
        self.notifications.record_deliveries(payload["announcement_id"], "email", statuses,
                                             domain.timestamp())
        for status in statuses.values():
            metrics.NOTIFICATION_DELIVERIES.labels("email", status).inc()
        return [user_id for user_id, status in statuses.items() if status == "failed"]

    def _push_batch(self, payload, announcement, kind, user_ids, settings, addresses, now):
        """Push to every subscription of those who want it; an expired one (404/410, or an
        endpoint that now points inside) is dropped. Returns who failed."""
        subscriptions = self.notifications.subscriptions_of(user_ids)
        wanted = [user_id for user_id in user_ids if subscriptions.get(user_id)
                  and domain.wants(settings[user_id], kind, "push", now)]
        claimed = self.notifications.claim_deliveries(payload["announcement_id"], wanted, "push")
        def deliver(user_id):
            language = (addresses.get(user_id) or {}).get("language") or "en"
            title, body, _ = domain.text_for(announcement, language)
            message = push.announcement_payload(payload["announcement_id"], kind, title, body,
                                                self.mail.public_url)
            outcomes = []
            for subscription in subscriptions[user_id]:
                outcome = self.pusher.send(subscription, message)
                if outcome == "gone":
                    self.notifications.drop_subscription(subscription["id"])
                outcomes.append(outcome)
            return user_id, ("sent" if "sent" in outcomes else
                             "failed" if "failed" in outcomes else "skipped")

        # Push services answer in tens of milliseconds: several requests in flight at once, on
        # green sockets, keep a batch from waiting on each answer in turn.
        statuses = dict(eventlet.GreenPool(PUSH_CONCURRENCY).imap(deliver, claimed))
        self.notifications.record_deliveries(payload["announcement_id"], "push", statuses,
                                             domain.timestamp())
        for status in statuses.values():
            metrics.NOTIFICATION_DELIVERIES.labels("push", status).inc()
        return [user_id for user_id, status in statuses.items() if status == "failed"]

    # -- identity's events: who lives where

    @event_handler(events.USER_REGISTERED)
    def on_user_registered(self, payload):
        self.notifications.upsert_recipient(payload["user_id"], payload["municipality_id"],
                                            payload.get("neighbourhood_id"), payload["role"])

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        self.notifications.forget_user(payload["user_id"])
        self.finish_erasure()

    @entrypoint
    def export_user(self, caller):
        """What this service holds about the caller: their settings and deliveries."""
        caller = Caller.from_dict(caller)
        if not caller.user_id or caller.is_system:
            raise errors.forbidden("an account is required")
        return {"notification_settings": domain.merged_settings(
                    self.notifications.settings(caller.user_id)),
                "deliveries": self.notifications.deliveries_of(caller.user_id)}
