"""Password hashing: argon2id with the OWASP parameters (m=19 MiB, t=2, p=1), and the password
policy. Pure CPU work, no I/O; the service runs it off the eventlet hub (see dependencies)."""
from argon2 import PasswordHasher, Type
from argon2 import exceptions as argon2_errors

# OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB memory, 2 iterations, 1 lane.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM,
                        hash_len=32, salt_len=16, type=Type.ID)

# NIST 800-63B: long passphrases allowed, no composition rules; the upper bound only keeps one
# request from buying unbounded hashing work.
PASSWORD_MIN = 10
PASSWORD_MAX = 128

_dummy_hash = None


def hash_password(password):
    return HASHER.hash(password)


def verify_password(stored_hash, password):
    """True when `password` matches; a malformed or missing hash is a mismatch, never an error."""
    if not stored_hash:
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (argon2_errors.VerifyMismatchError, argon2_errors.VerificationError,
            argon2_errors.InvalidHashError):
        return False


def verify_against_nothing(password):
    """Spend the same work as a real verification, for logins naming no account: the answer time
    must not tell an attacker which e-mail addresses have accounts."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = HASHER.hash("quartier-timing-equaliser")
    verify_password(_dummy_hash, password)
    return False


def needs_rehash(stored_hash):
    """Hashes made with weaker parameters are upgraded at the next successful login."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except (argon2_errors.InvalidHashError, ValueError):
        return True


def password_problem(password, email=None):
    """Why `password` is not acceptable, or None."""
    if not isinstance(password, str):
        return "required"
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return "%d to %d characters" % (PASSWORD_MIN, PASSWORD_MAX)
    if email and password.strip().lower() == email.strip().lower():
        return "must not be your e-mail address"
    if len(set(password)) < 4:
        return "too predictable (use a few different characters)"
    return None
