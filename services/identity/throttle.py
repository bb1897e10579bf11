"""Sliding-window limits on failures: 10 failed logins per account per 15 minutes, 5 failed
invitation codes per client per hour. The counters live in identity's store (so every gateway
process sees the same ones); these rules only decide from what the store counted."""
import math
from dataclasses import dataclass

from contracts import errors
from contracts.errors import DomainError


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int
    what: str

    def key(self, subject):
        return "%s:%s" % (self.what, subject)

    def since(self, now):
        return now - self.seconds

    def refuse_if_exhausted(self, failures, oldest, now):
        """Raise RATE_LIMITED once `failures` within the window reached the limit; the error says
        when the oldest counted failure leaves the window, i.e. when trying again makes sense."""
        if failures < self.limit:
            return
        retry_after = max(1, math.ceil((oldest or now) + self.seconds - now))
        raise DomainError(
            errors.RATE_LIMITED,
            "too many failed %s; try again in %s" % (self.what_plural, _human(retry_after)),
            details={"retry_after": retry_after},
        )

    @property
    def what_plural(self):
        return {"login": "logins", "invitation_code": "invitation code attempts"}.get(
            self.what, self.what)


def _human(seconds):
    if seconds < 90:
        return "%d seconds" % seconds
    return "%d minutes" % math.ceil(seconds / 60)


LOGIN_FAILURES = Window(limit=10, seconds=15 * 60, what="login")
CODE_FAILURES = Window(limit=5, seconds=60 * 60, what="invitation_code")
