"""Web Push subscriptions: pure rules. What a browser hands over (`endpoint`, `keys.p256dh`,
`keys.auth`), checked; the endpoint must be an https URL of a public host, so the platform can
never be made to POST into its own network (SSRF). Only a test platform allows http and private
addresses, with an explicit setting."""
import base64
import hashlib
import ipaddress
from urllib.parse import urlsplit

from contracts import errors

ENDPOINT_MAX = 1000
SUBSCRIPTIONS_PER_PERSON = 10
# What a push says: kept short (a push service accepts 4 KB) and never a private message.
TITLE_MAX = 120
BODY_MAX = 240


def _b64url_bytes(text, expected_length):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return None
    return raw if len(raw) == expected_length else None


def address_is_public(address):
    address = ipaddress.ip_address(address)
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_endpoint(endpoint, allow_private):
    """The endpoint, or `invalid`. Literal addresses are checked here; names are resolved and
    checked again at each send (a name may point inside later)."""
    refused = errors.invalid("invalid push subscription", {
        "endpoint": "an https URL of a public push service"})
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= ENDPOINT_MAX:
        raise refused
    parts = urlsplit(endpoint)
    if parts.scheme not in (("https", "http") if allow_private else ("https",)):
        raise refused
    if not parts.hostname or parts.username or parts.password:
        raise refused
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if not allow_private:
        if literal is not None and not address_is_public(literal):
            raise refused
        if literal is None and (host == "localhost" or host.endswith((".localhost", ".local",
                                                                      ".internal"))
                                or "." not in host):
            raise refused
    return endpoint


def check_subscription(request, allow_private):
    if not isinstance(request, dict):
        raise errors.invalid("a push subscription is a JSON object")
    endpoint = check_endpoint(request.get("endpoint"), allow_private)
    keys = request.get("keys") if isinstance(request.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    problems = {}
    if not isinstance(p256dh, str) or _b64url_bytes(p256dh, 65) is None:
        problems["keys.p256dh"] = "the browser's P-256 public key (base64url, 65 bytes)"
    if not isinstance(auth, str) or _b64url_bytes(auth, 16) is None:
        problems["keys.auth"] = "the browser's auth secret (base64url, 16 bytes)"
    if problems:
        raise errors.invalid("invalid push subscription", problems)
    return {"id": subscription_id(endpoint), "endpoint": endpoint, "p256dh": p256dh,
            "auth": auth}


def subscription_id(endpoint):
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:32]


def shortened(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def announcement_payload(announcement_id, kind, title, body, public_url):
    return {"kind": kind, "title": shortened(title, TITLE_MAX),
            "body": shortened(body, BODY_MAX),
            "url": "%s/posts/%s" % (public_url, announcement_id)}
