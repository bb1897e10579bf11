"""Password reset by e-mail: pure rules. A link carries a random single-use token; identity
stores only its hash, for 30 minutes. Requests are limited per address and per client address
whether or not an account exists, so neither the answer nor the limit tells who has one; the
address is counted under a hash, so asking for a stranger's address stores no address."""
import hashlib
import secrets
from urllib.parse import quote

from services.identity.throttle import Window

PASSWORD_RESET = "password_reset"
RESET_TTL_SECONDS = 30 * 60
TOKEN_BYTES = 32
TOKEN_MAX = 200

RESET_REQUESTS_PER_ADDRESS = Window(limit=5, seconds=60 * 60, what="password_reset_address",
                                    refusal="too many password reset requests for this address")
RESET_REQUESTS_PER_CLIENT = Window(limit=30, seconds=60 * 60, what="password_reset_client",
                                   refusal="too many password reset requests from your network "
                                           "address")


def new_token():
    """(the raw token for the link, the hash to store)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw):
    return hashlib.sha256(("%s:%s" % (PASSWORD_RESET, raw)).encode("utf-8")).hexdigest()


def address_subject(email):
    """The per-address bucket's subject: a hash, never the address itself."""
    return hashlib.sha256(("reset-address:%s" % email).encode("utf-8")).hexdigest()


def reset_link(public_url, raw):
    return "%s/reset-password?token=%s" % (str(public_url).rstrip("/"), quote(raw, safe=""))


def readable_token(token):
    return isinstance(token, str) and 0 < len(token) <= TOKEN_MAX
