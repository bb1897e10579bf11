"""A real SMTP server for tests (aiosmtpd) on a free local port, keeping every message it
accepted (parsed), with the time it arrived."""
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Keeper:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        message = envelope.content if self.sink.raw else email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append((time.time(), list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class MailSink:
    def __init__(self, raw=False):
        self.raw = raw  # keep the bytes unparsed (a bench counting 100,000 messages)
        self.messages = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(_Keeper(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def to(self, address):
        """The messages accepted for `address`, in arrival order."""
        with self.lock:
            return [message for _, rcpt, message in self.messages if address in rcpt]

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
