"""Suspension: the check every service makes before a write a suspended person may not make.

Moderation's cases are the one record of who is suspended until when; the service that owns the
data asks moderation (`moderation.suspension`) instead of keeping a copy built from events. A copy
could not tell which of two suspensions an appeal lifted (the lift is a USER_SUSPENDED "until
now"), would depend on the order its events were delivered in, and would exist once per service.
The price is one short RPC per gated write; like screening, it fails closed.

Which writes are gated, and why the others are not: docs/security.md (suspensions).
"""
from contracts import errors, rpc
from contracts.caller import SYSTEM_CALLER
from contracts.errors import DomainError

# Moderation reads a person's cases from an indexed store: milliseconds. A longer wait means it is
# down, and then nothing is written (503) rather than letting a suspended person through.
SUSPENSION_TIMEOUT = 3.0


def suspended(until):
    """The refusal a suspended person gets, the same on every path: 403 with the end date."""
    return DomainError(errors.FORBIDDEN, "you are suspended until %s" % until,
                       {"suspended_until": until})


def require_not_suspended(moderation, caller):
    """Refuse (forbidden, with the end date) when moderation says the caller is suspended;
    unavailable when it does not answer. `moderation` is the service's ServiceRpc. The
    platform's own calls and callers without an account are not people who can be suspended."""
    if caller.is_system or not caller.user_id:
        return
    try:
        answer = moderation.call(rpc.moderation.SUSPENSION, timeout=SUSPENSION_TIMEOUT,
                                 caller=SYSTEM_CALLER.to_dict(), user_id=caller.user_id)
    except DomainError as exc:
        if exc.code in (errors.TIMEOUT, errors.UNAVAILABLE):
            raise DomainError(errors.UNAVAILABLE, "moderation is not answering: nothing was "
                              "changed; please try again shortly") from None
        raise
    until = answer.get("suspended_until")
    if until:
        raise suspended(until)
