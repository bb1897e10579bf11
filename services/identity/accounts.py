"""Accounts: who may have one, what they may change about it, what leaves identity about them.
Pure rules: values in, values (and events) out."""
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, replace
from typing import Optional

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, ROLES, Caller
from contracts.errors import DomainError
from servicekit import text as normalised
from services.identity.domain import SUPPORTED_LANGUAGES
from services.identity.passwords import password_problem

EMAIL_MAX = 254
# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is not knowable here.
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
DISPLAY_NAME_MAX = 80
BIO_MAX = 500
STAFF_ROLES = (CITY_STAFF, MODERATOR, ADMIN)
# Adults per household (the registered accounts), co-residents' pending invitations included.
HOUSEHOLD_ADULT_CAP = 4

WRITABLE_PROFILE_FIELDS = ("display_name", "language", "bio")
# Named so a refused change says why, instead of a generic "unknown field".
READ_ONLY_PROFILE_FIELDS = ("id", "email", "role", "municipality_id", "neighbourhood_id",
                            "household_id", "street", "verified", "created_at")


@dataclass(frozen=True)
class Account:
    id: str
    municipality_id: str
    email: Optional[str]
    password_hash: Optional[str]
    role: str
    display_name: str
    language: str
    bio: str = ""
    household_id: Optional[str] = None
    neighbourhood_id: Optional[str] = None
    street: Optional[str] = None
    verified: bool = False
    created_at: float = 0.0
    version: int = 1
    erased_at: Optional[float] = None

    @property
    def active(self):
        return self.erased_at is None

    def caller(self):
        return Caller(user_id=self.id, role=self.role, municipality_id=self.municipality_id,
                      neighbourhood_id=self.neighbourhood_id, household_id=self.household_id)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__
                      if name in data})

    def profile(self):
        """What the account holder sees of themselves (never the password hash)."""
        return {
            "id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "language": self.language,
            "bio": self.bio,
            "role": self.role,
            "municipality_id": self.municipality_id,
            "neighbourhood_id": self.neighbourhood_id,
            "household_id": self.household_id,
            "street": self.street,
            "verified": self.verified,
            "created_at": self.created_at,
        }


def normalize_email(email):
    return email.strip().lower() if isinstance(email, str) else None


def _text_problem(value, maximum, required=True, kind=normalised.NAME):
    """A display name is shown next to everything its owner writes: no control characters, no
    bidi override to disguise it, not only invisible characters (servicekit/text.py)."""
    return normalised.text_problem(value, maximum, required=required, kind=kind)


def _language_problem(language):
    if language not in SUPPORTED_LANGUAGES:
        return "one of %s" % ", ".join(SUPPORTED_LANGUAGES)
    return None


def validate_new_account(email, password, display_name, language):
    """Every problem at once, keyed by field; returns the normalised e-mail."""
    normalized = normalize_email(email)
    problems = {}
    if not normalized or len(normalized) > EMAIL_MAX or not EMAIL_PATTERN.match(normalized):
        problems["email"] = "a valid e-mail address"
    problem = password_problem(password, normalized)
    if problem:
        problems["password"] = problem
    problem = _text_problem(display_name, DISPLAY_NAME_MAX)
    if problem:
        problems["display_name"] = problem
    problem = _language_problem(language)
    if problem:
        problems["language"] = problem
    if problems:
        raise errors.invalid("invalid account", details=problems)
    return normalized


def new_account(municipality_id, email, password_hash, role, display_name, language, now,
                household=None, new_id=None):
    """A resident comes with the household their code verified (hence `verified`); staff have
    none."""
    if role not in ROLES:
        raise errors.invalid("unknown role %r" % (role,))
    return Account(
        id=new_id or uuid.uuid4().hex,
        municipality_id=municipality_id,
        email=email,
        password_hash=password_hash,
        role=role,
        display_name=display_name.strip(),
        language=language,
        household_id=household.household_id if household else None,
        neighbourhood_id=household.neighbourhood_id if household else None,
        street=household.street if household else None,
        verified=household is not None,
        created_at=now,
    )


def authorize_staff_account(caller: Caller, municipality_id, role):
    """Admins create staff and moderators of their own municipality; only the platform (seed,
    CLI) creates admins, which is how a municipality gets its first one."""
    if role not in STAFF_ROLES:
        raise errors.invalid("role must be one of %s" % ", ".join(STAFF_ROLES),
                             details={"role": "one of %s" % ", ".join(STAFF_ROLES)})
    if caller.is_system:
        return
    if caller.role != ADMIN or caller.municipality_id != municipality_id:
        raise errors.forbidden("only an admin of this municipality creates staff accounts")
    if role == ADMIN:
        raise errors.forbidden("admin accounts are created by the platform")


def profile_changes(account: Account, requested):
    """The whitelisted part of a PATCH, validated; any other field refuses the whole request, so
    nothing is half-applied. Returns only the fields whose value actually changes."""
    if not isinstance(requested, dict) or not requested:
        raise errors.invalid("nothing to change")
    problems = {}
    for name in requested:
        if name in READ_ONLY_PROFILE_FIELDS:
            problems[name] = "cannot be changed"
        elif name not in WRITABLE_PROFILE_FIELDS:
            problems[name] = "unknown field"
    if problems:
        raise errors.invalid("only %s can be changed" % ", ".join(WRITABLE_PROFILE_FIELDS),
                             details=problems)
    checks = {
        "display_name": lambda v: _text_problem(v, DISPLAY_NAME_MAX),
        "bio": lambda v: _text_problem(v, BIO_MAX, required=False, kind=normalised.TEXT),
        "language": _language_problem,
    }
    for name, value in requested.items():
        problem = checks[name](value)
        if problem:
            problems[name] = problem
    if problems:
        raise errors.invalid("invalid profile", details=problems)
    cleaned = {name: value.strip() if name != "language" else value
               for name, value in requested.items()}
    return {name: value for name, value in cleaned.items() if getattr(account, name) != value}


def household_changes(account: Account, household):
    """What a corrected address register entry changes for a member of that household."""
    found = {"street": household.street, "neighbourhood_id": household.neighbourhood_id}
    return {name: value for name, value in found.items() if getattr(account, name) != value}


def with_changes(account: Account, changes):
    return replace(account, version=account.version + 1, **changes)


# Who handed out or used an invitation code, once that person is erased.
ERASED_PERSON = "erased"


def erased(account: Account, now):
    """The tombstone left after erasure (GDPR art. 17): nothing that identifies the person stays;
    the id remains so replays of the erasure are recognised and re-announced."""
    return replace(account, email=None, password_hash=None, display_name="", bio="",
                   street=None, erased_at=now, version=account.version + 1)


def require_active(account):
    """An access token outlives its account by up to 15 minutes; identity's own answers stop at
    once."""
    if account is None or not account.active:
        raise DomainError(errors.UNAUTHENTICATED, "this account no longer exists")
    return account


def require_user(caller: Caller):
    if caller.user_id is None or caller.is_system:
        raise DomainError(errors.UNAUTHENTICATED, "sign in first")


def user_registered(account: Account):
    return events.USER_REGISTERED, events.USER_REGISTERED.payload(
        "user_registered:" + account.id,
        user_id=account.id, municipality_id=account.municipality_id,
        household_id=account.household_id, neighbourhood_id=account.neighbourhood_id,
        role=account.role, display_name=account.display_name, street=account.street,
    )


def user_updated(account: Account, changes):
    return events.USER_UPDATED, events.USER_UPDATED.payload(
        "user_updated:%s:%d" % (account.id, account.version),
        user_id=account.id, municipality_id=account.municipality_id, changes=changes,
    )


def user_erased(account: Account):
    return events.USER_ERASED, events.USER_ERASED.payload(
        "user_erased:" + account.id, user_id=account.id, municipality_id=account.municipality_id,
    )


def export(account: Account, sessions):
    """Identity's part of a GDPR art. 15/20 export."""
    return {"account": account.profile(), "sessions": sessions}


def generated_password():
    """A first password for a staff account whose admin gave none: 128 random bits, shown once."""
    return secrets.token_urlsafe(16)
