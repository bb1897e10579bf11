"""Where e-mails go: an SMTP server (`SMTP_URL`: smtp:// or smtps://, optional user:password,
`?starttls=true`), or without one a directory of `.eml` files (var/mail/) so that a single
machine shows what would have been sent.

Both send a whole batch at once: one SMTP connection per batch, not per message. The caller runs
`send_batch` on a native thread (eventlet's tpool): smtplib blocks, and a blocking call longer
than the broker heartbeat would cost the service its connection."""
import os
import smtplib
import ssl
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 20


class SmtpTransport:
    def __init__(self, url, timeout=SMTP_TIMEOUT_SECONDS):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL: smtp:// or smtps://")
        self.secure = parts.scheme == "smtps"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.secure else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = (query.get("starttls") or ["false"])[0].lower() in ("1", "true", "yes")
        self.timeout = timeout
        self.description = "%s://%s:%d" % (parts.scheme, self.host, self.port)

    def _connect(self):
        if self.secure:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
        if self.user:
            client.login(self.user, self.password or "")
        return client

    def send_batch(self, sender, messages):
        """[(key, recipient, message bytes)] from the envelope `sender` → {key: None if
        accepted else the reason}."""
        outcome = {}
        if not messages:
            return outcome
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            return {key: "connect: %s" % exc.__class__.__name__ for key, _, _ in messages}
        try:
            for key, recipient, message in messages:
                try:
                    refused = client.sendmail(sender, [recipient], message)
                    outcome[key] = "refused" if refused else None
                except smtplib.SMTPServerDisconnected:
                    client = self._connect()
                    client.sendmail(sender, [recipient], message)
                    outcome[key] = None
                except (OSError, smtplib.SMTPException) as exc:
                    outcome[key] = exc.__class__.__name__
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return outcome


class DirectoryTransport:
    def __init__(self, directory):
        self.directory = directory
        self.description = "files in %s" % directory

    def send_batch(self, sender, messages):
        os.makedirs(self.directory, exist_ok=True)
        outcome = {}
        for key, _, message in messages:
            path = os.path.join(self.directory, "%s.eml" % uuid.uuid4().hex)
            with open(path + ".part", "wb") as handle:
                handle.write(message)
            os.replace(path + ".part", path)  # a reader never sees half a message
            outcome[key] = None
        return outcome


def from_config(config, var_directory):
    url = config.get("SMTP_URL")
    if url:
        return SmtpTransport(str(url))
    return DirectoryTransport(os.path.join(var_directory, "mail"))
