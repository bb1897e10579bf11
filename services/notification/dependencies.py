"""Notification's dependency providers: its repository, the mail transport (SMTP or .eml files)
with what every e-mail needs (sender, link base), and the unsubscribe links' HMAC key."""
import logging
import os
from email.utils import parseaddr

from eventlet import tpool
from nameko.extensions import DependencyProvider

from servicekit import keyfiles
from servicekit.config import var_dir
from servicekit.nameko_extensions import RepositoryProvider
from services.notification import mail_transport, push_transport
from services.notification.repository import MongoNotifications, SqliteNotifications

log = logging.getLogger(__name__)

UNSUBSCRIBE_SECRET_FILE = os.path.join("keys", "notification-unsubscribe.key")


class Notifications(RepositoryProvider):
    sqlite_adapter = SqliteNotifications
    mongo_adapter = MongoNotifications


class Mail:
    """What a worker sends through: `send_batch` runs the transport on a native thread."""

    def __init__(self, transport, mail_from, public_url, batch_size):
        self.transport = transport
        self.batch_size = batch_size
        self.mail_from = mail_from
        self.public_url = public_url.rstrip("/")
        self.domain = mail_from.rpartition("@")[2].strip(">") or "localhost"
        self.envelope_sender = parseaddr(mail_from)[1] or "noreply@localhost"

    def send_batch(self, messages):
        """[(key, recipient, message bytes)] → {key: None if accepted, else the reason}."""
        return tpool.execute(self.transport.send_batch, self.envelope_sender, messages)


class Mailer(DependencyProvider):
    def setup(self):
        config = self.container.config
        transport = mail_transport.from_config(config, var_dir(config))
        self.mail = Mail(transport, str(config.get("MAIL_FROM") or "Quartier <noreply@localhost>"),
                         str(config.get("PUBLIC_URL") or "http://127.0.0.1:8080"),
                         max(1, int(config.get("NOTIFICATION_BATCH_SIZE") or 500)))
        log.info("notification: e-mail to %s", transport.description)

    def get_dependency(self, worker_ctx):
        return self.mail


class Pusher(DependencyProvider):
    """The Web Push sender: the VAPID key (VAPID_PRIVATE_KEY, else generated into var/keys/),
    the contact pushed to push services, and whether http and private endpoints are allowed
    (PUSH_ALLOW_PRIVATE_ENDPOINTS: tests only, never in production)."""

    def setup(self):
        config = self.container.config
        vapid = push_transport.load_vapid(config.get("VAPID_PRIVATE_KEY"), var_dir(config))
        allow_private = str(config.get("PUSH_ALLOW_PRIVATE_ENDPOINTS")).lower() == "true"
        self.sender = push_transport.PushSender(
            vapid, str(config.get("VAPID_SUBJECT") or "mailto:noreply@quartier.localhost"),
            allow_private)
        if allow_private:
            log.warning("notification: push to http and private addresses is allowed "
                        "(PUSH_ALLOW_PRIVATE_ENDPOINTS): for tests only")

    def get_dependency(self, worker_ctx):
        return self.sender


def load_secret(config, name, filename):
    """`name` from the environment in production, else 32 random bytes generated once into
    var/keys/."""
    return keyfiles.configured_or_generated_secret(config, name, var_dir(config), filename)


class UnsubscribeSecret(DependencyProvider):
    def setup(self):
        self.secret = load_secret(self.container.config, "UNSUBSCRIBE_SECRET",
                                  UNSUBSCRIBE_SECRET_FILE)

    def get_dependency(self, worker_ctx):
        return self.secret
