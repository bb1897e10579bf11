"""Device tokens, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies": proof
that a client signed in to one account before. A token is `qd1.<nonce>.<expires>.<signature>`, the
signature an HMAC over the account id, the nonce and the expiry under a key only identity holds.
The account id is inside the signature, not the token: a token says nothing about whose it is,
and it only counts for the account it was issued to.

Why: failed logins from a valid token count against that token, not against the account, so an
attacker who guesses from anywhere else locks out only the clients that never signed in, never
the owner's own devices. Pure: the key, the clock and the randomness come from the caller."""
import base64
import hashlib
import hmac
import re
import secrets

PREFIX = "qd1"
# A device the person has not signed in from for three months is a new device again.
LIFETIME_SECONDS = 90 * 24 * 3600
TOKEN_MAX = 200
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_EXPIRES = re.compile(r"^[0-9]{1,12}$")


def _signature(secret, account_id, nonce, expires):
    message = "%s|%s|%s|%d" % (PREFIX, account_id, nonce, expires)
    digest = hmac.new(secret, message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret, account_id, now, lifetime=LIFETIME_SECONDS):
    """A new token for a client that just proved the password: (token, seconds it is valid)."""
    nonce = secrets.token_urlsafe(16)
    expires = int(now + lifetime)
    token = "%s.%s.%d.%s" % (PREFIX, nonce, expires, _signature(secret, account_id, nonce,
                                                                expires))
    return token, expires - int(now)


def verified_nonce(secret, token, account_id, now):
    """The token's nonce (what its own failure counter is keyed by) when the token is well formed,
    signed for this very account and not expired; None for anything else, which the login then
    treats as a client never seen before."""
    if account_id is None or not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        return None
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    _, nonce, expires, signature = parts
    if not _NONCE.match(nonce) or not _EXPIRES.match(expires) or int(expires) <= now:
        return None
    expected = _signature(secret, account_id, nonce, int(expires))
    if not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    return nonce
