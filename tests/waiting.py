"""Waiting for a condition with a deadline: the one way tests wait (never a bare sleep)."""
import time


class Timeout(AssertionError):
    pass


def wait_until(condition, timeout, interval=0.1, describe=None):
    """Poll `condition()` until it returns something truthy; return (seconds taken, that value).
    On timeout, fail with the last value seen (or `describe(last)`)."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        value = condition()
        if value:
            return time.monotonic() - started, value
        if time.monotonic() >= deadline:
            detail = describe(value) if describe else repr(value)
            raise Timeout("not within %.1fs: %s" % (timeout, detail))
        time.sleep(interval)
