"""Sliding-window limits on failures. The counters live in identity's store (so every gateway
process and every identity instance sees the same ones); these rules only decide from what the
store counted.

Logins are limited so that an attacker cannot turn the limit against the owner (OWASP, "Slow Down
Online Guessing Attacks with Device Cookies", see services.identity.device_tokens):
- a client presenting a valid device token of the account is judged by that token's own failures
  (10 within 15 minutes lock that token only);
- every other client is judged by the account's untrusted-clients bucket (10 within 15 minutes
  lock out clients without a device token until the window passes) and by its own address (one
  address cannot spray guesses over many accounts).
A locked bucket refuses before any password is hashed. Invitation codes: 5 failures per client
address per hour."""
import ipaddress
import math
from dataclasses import dataclass
from typing import Optional

from contracts import errors
from contracts.errors import DomainError

# Outcomes of a login attempt (the quartier_login_attempts_total counter): the first two cost a
# password hash, the refusals none.
SUCCEEDED = "succeeded"
FAILED = "failed"
REFUSED_ACCOUNT_LOCKED = "refused_account_locked"
REFUSED_DEVICE_LOCKED = "refused_device_locked"
REFUSED_CLIENT_LOCKED = "refused_client_locked"

# IPv6 hands each subscriber a /64: counting single addresses in it would count nothing.
IPV6_CLIENT_PREFIX = 64
CLIENT_KEY_MAX = 100


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int
    what: str
    refusal: str  # the start of the 429's message
    locked_outcome: Optional[str] = None

    def key(self, subject):
        return "%s:%s" % (self.what, subject)

    def since(self, now):
        return now - self.seconds

    @property
    def enabled(self):
        return self.limit > 0

    def refuse_if_exhausted(self, failures, oldest, now):
        """Raise RATE_LIMITED once `failures` within the window reached the limit; the error says
        when the oldest counted failure leaves the window, i.e. when trying again makes sense."""
        if not self.enabled or failures < self.limit:
            return
        retry_after = max(1, math.ceil((oldest or now) + self.seconds - now))
        raise DomainError(
            errors.RATE_LIMITED,
            "%s; try again in %s" % (self.refusal, _human(retry_after)),
            details={"retry_after": retry_after},
        )


def _human(seconds):
    if seconds < 90:
        return "%d seconds" % seconds
    return "%d minutes" % math.ceil(seconds / 60)


def client_subject(client_id):
    """What a client's limits are keyed by: its address, or its /64 for IPv6 (one subscriber's
    share); anything else as given, bounded."""
    text = str(client_id or "unknown")[:CLIENT_KEY_MAX]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if address.version == 6:
        return str(ipaddress.ip_network("%s/%d" % (address, IPV6_CLIENT_PREFIX), strict=False))
    return str(address)


# The account's untrusted-clients bucket keeps the key it always had (the e-mail address), so
# erasure still finds it.
LOGIN_FAILURES = Window(limit=10, seconds=15 * 60, what="login",
                        refusal="too many failed logins",
                        locked_outcome=REFUSED_ACCOUNT_LOCKED)
DEVICE_LOGIN_FAILURES = Window(limit=10, seconds=15 * 60, what="device_login",
                               refusal="too many failed logins from this device",
                               locked_outcome=REFUSED_DEVICE_LOCKED)
# Generous: a household, an office or a mobile carrier's NAT shares one address. Configurable
# (identity's LOGIN_FAILURES_PER_CLIENT), 0 turns it off.
CLIENT_LOGIN_FAILURES = Window(limit=100, seconds=15 * 60, what="client_login",
                               refusal="too many failed logins from your network address",
                               locked_outcome=REFUSED_CLIENT_LOCKED)
# A wrong current password on a password change: someone holding a session is guessing. Its own
# bucket, so an attacker locking the account's untrusted clients does not stop its owner from
# changing the password.
PASSWORD_CHANGE_FAILURES = Window(limit=10, seconds=15 * 60, what="password_change",
                                  refusal="too many wrong current passwords")
CODE_FAILURES = Window(limit=5, seconds=60 * 60, what="invitation_code",
                       refusal="too many failed invitation code attempts")


def login_buckets(email, device_nonce, client_id, client_window=CLIENT_LOGIN_FAILURES):
    """(window, key) of every bucket a login attempt is judged by and charged to: a valid device
    token's own; else the account's untrusted-clients bucket and the client address's."""
    if device_nonce:
        return [(DEVICE_LOGIN_FAILURES, DEVICE_LOGIN_FAILURES.key(device_nonce))]
    buckets = [(LOGIN_FAILURES, LOGIN_FAILURES.key(email))]
    if client_id and client_window.enabled:
        buckets.append((client_window, client_window.key(client_subject(client_id))))
    return buckets
