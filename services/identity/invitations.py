"""Household invitation codes: what a letter carries, how it is checked, who may issue one.

A code is 8 symbols from an alphabet without look-alikes (no 0/O, 1/I/L): 31 symbols, so
8 × log2(31) ≈ 39.6 bits. Identity stores only an HMAC of it under a server secret: a copy of the
database alone cannot be turned back into usable codes, not even by trying all 2^39.6 of them."""
import hashlib
import hmac
import math
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Optional

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MUNICIPAL_SYSTEM, RESIDENT, Caller
from contracts.errors import DomainError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
ENTROPY_BITS = CODE_LENGTH * math.log2(len(ALPHABET))

DEFAULT_VALID_DAYS = 30
VALID_DAYS_RANGE = (1, 365)
CO_RESIDENT_VALID_DAYS = 14
DAY = 24 * 3600

HOUSEHOLD = "household"      # a letter from the municipality
CO_RESIDENT = "co_resident"  # from a registered adult, for someone living with them

ACTIVE = "active"
USED = "used"
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Invitation:
    code_hash: str
    municipality_id: str
    household_id: str
    kind: str
    issued_by: str
    issued_at: float
    expires_at: float
    status: str = ACTIVE
    used_by: Optional[str] = None
    used_at: Optional[float] = None

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__ if name in data})

    def pending(self, now):
        return self.status == ACTIVE and self.expires_at > now


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code):
    """How a code is printed: two groups of four are easier to copy than eight in a row."""
    return "%s-%s" % (code[:4], code[4:])


def normalize_code(text):
    """The code a person typed, as issued (case, blanks and dashes ignored), or None when it
    cannot be a code at all."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_hash(secret: bytes, code):
    return hmac.new(secret, code.encode("ascii"), hashlib.sha256).hexdigest()


def valid_days_or_default(valid_days):
    if valid_days is None:
        return DEFAULT_VALID_DAYS
    low, high = VALID_DAYS_RANGE
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or not (
            low <= valid_days <= high):
        raise errors.invalid("valid_days must be an integer from %d to %d" % (low, high),
                             details={"valid_days": "an integer from %d to %d" % (low, high)})
    return valid_days


def issue(secret, municipality_id, household_id, kind, issued_by, now, valid_days):
    """(the plain code, to print once; the record to store)."""
    code = new_code()
    record = Invitation(
        code_hash=code_hash(secret, code), municipality_id=municipality_id,
        household_id=household_id, kind=kind, issued_by=issued_by, issued_at=now,
        expires_at=now + valid_days * DAY,
    )
    return code, record


def _date(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).date().isoformat()


def require_usable(invitation: Optional[Invitation], now):
    """The reason a code cannot be used, as the error the person sees. Every refusal counts as a
    failed try against the client's hourly limit."""
    if invitation is None:
        raise errors.invalid("this invitation code is not valid; check it against your letter",
                             details={"invitation_code": "not valid"})
    if invitation.status == USED:
        raise errors.conflict("this invitation code has already been used",
                              details={"invitation_code": "already used"})
    if invitation.status == SUPERSEDED:
        raise DomainError(errors.UNPROCESSABLE,
                          "this invitation code was replaced by a newer letter; use that one",
                          details={"invitation_code": "replaced"})
    if invitation.expires_at <= now:
        raise DomainError(
            errors.UNPROCESSABLE,
            "this invitation code expired on %s; ask the municipality for a new letter"
            % _date(invitation.expires_at),
            details={"invitation_code": "expired", "expired_on": _date(invitation.expires_at)})
    return invitation


def authorize_issuer(caller: Caller, municipality_id):
    """Letters are the municipality's: its staff and admins (or the platform) issue them."""
    if caller.is_system:
        return
    if caller.role not in (CITY_STAFF, ADMIN, MUNICIPAL_SYSTEM) \
            or caller.municipality_id != municipality_id:
        raise errors.forbidden("only staff of this municipality manage invitation letters")


def authorize_co_resident_invite(caller: Caller, adults, pending, cap):
    """A registered adult invites people of their own household, while the household (accounts
    plus invitations not yet used) stays within the cap."""
    if caller.role != RESIDENT or not caller.household_id:
        raise errors.forbidden("only registered residents invite co-residents")
    if adults + pending >= cap:
        raise errors.conflict(
            "a household has at most %d adults; %d registered and %d invited" % (
                cap, adults, pending),
            details={"cap": cap, "registered": adults, "pending": pending})


def require_room_in_household(adults, cap):
    if adults >= cap:
        raise errors.conflict("this household already has %d registered adults" % cap)


def used(invitation: Invitation, user_id, now):
    return replace(invitation, status=USED, used_by=user_id, used_at=now)


def status_of(invitation: Optional[Invitation], now):
    """A household's letter status for staff lists: none, pending, used or expired."""
    if invitation is None:
        return "none"
    if invitation.status == USED:
        return "used"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


def letter(household, code, invitation: Invitation):
    """One row of the letters export: where to send it and what it says."""
    return {
        "household_id": household.household_id,
        "address_id": household.address_id,
        "street": household.street,
        "number": household.number,
        "postcode": household.postcode,
        "locality": household.locality,
        "neighbourhood_id": household.neighbourhood_id,
        "invitation_code": format_code(code),
        "expires_on": _date(invitation.expires_at),
    }


def household_status(household, invitation: Optional[Invitation], now):
    return {
        "household_id": household.household_id,
        "street": household.street,
        "number": household.number,
        "postcode": household.postcode,
        "locality": household.locality,
        "neighbourhood_id": household.neighbourhood_id,
        "letter": status_of(invitation, now),
        "expires_on": _date(invitation.expires_at) if invitation else None,
    }
