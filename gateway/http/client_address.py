"""Who the client is, for every per-client limit (failed invitation codes, failed logins).

Behind a reverse proxy (the Kubernetes ingress, a TLS terminator) every request's socket address
is the proxy's, so limits keyed by it are shared by the whole city. GATEWAY_TRUSTED_PROXIES says
which peers are proxies of ours:

- empty (the default): none; the client is the socket address and X-Forwarded-For is ignored;
- a number N: N proxies in a row in front of the gateway; the client is the address the outermost
  of them saw, i.e. the Nth X-Forwarded-For entry from the right;
- a comma-separated list of networks (`10.0.0.0/8, 192.168.1.7`): the client is the rightmost
  address, socket address included, that is not in one of them.

Each proxy appends the address it saw, so only the right end of X-Forwarded-For is written by us;
entries on the left are whatever the client sent and are never believed (the rightmost-untrusted
rule). Pure: the Flask request's values come in as arguments."""
import ipaddress
import re
from dataclasses import dataclass

SETTING = "GATEWAY_TRUSTED_PROXIES"
UNKNOWN = "unknown"
MAX_HOPS = 10
_PORT_SUFFIX = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$")
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$")


def parse_address(value):
    """An IP address from a socket or X-Forwarded-For value (`1.2.3.4`, `1.2.3.4:5678`,
    `[2001:db8::1]:443`, `::ffff:1.2.3.4`), or None when it is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    for pattern in (_PORT_SUFFIX, _BRACKETED):
        matched = pattern.match(value)
        if matched:
            value = matched.group(1)
            break
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class TrustedProxies:
    hops: int = 0
    networks: tuple = ()

    @property
    def none(self):
        return not self.hops and not self.networks

    def client(self, socket_address, forwarded_for=()):
        """The client's address as a string. `forwarded_for`: the X-Forwarded-For header values
        in the order received (several headers count as one list)."""
        peer = parse_address(socket_address)
        peer_text = str(peer) if peer is not None else (socket_address or UNKNOWN)
        if self.none:
            return peer_text
        chain = [entry.strip() for value in forwarded_for for entry in value.split(",")
                 if entry.strip()]
        if self.hops:
            return self._by_hops(chain, peer_text)
        return self._by_networks(chain, peer, peer_text)

    def _by_hops(self, chain, peer_text):
        # Fewer entries than proxies: the request did not come through all of them (or a proxy
        # does not append); the socket address is all we know.
        if len(chain) < self.hops:
            return peer_text
        found = parse_address(chain[-self.hops])
        return str(found) if found is not None else peer_text

    def _by_networks(self, chain, peer, peer_text):
        if not self._trusted(peer):
            return peer_text
        nearest_trusted = peer_text
        for entry in reversed(chain):
            address = parse_address(entry)
            if address is None:
                # No proxy of ours wrote this: the last address one of them vouched for is
                # the client (a host inside a trusted network sending its own header).
                return nearest_trusted
            if not self._trusted(address):
                return str(address)
            nearest_trusted = str(address)
        return nearest_trusted

    def _trusted(self, address):
        return address is not None and any(
            address.version == network.version and address in network
            for network in self.networks)


def parse_trusted_proxies(setting):
    """TrustedProxies from the setting's text; ValueError naming the setting for anything else,
    so a typo stops the gateway at start instead of silently trusting nothing (or everyone)."""
    text = str(setting if setting is not None else "").strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        hops = int(text)
        if hops > MAX_HOPS:
            raise ValueError("%s: at most %d proxies in a row, not %d" % (SETTING, MAX_HOPS, hops))
        return TrustedProxies(hops=hops)
    networks = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError("%s: %r is neither a number of proxies nor an address or network "
                             "(CIDR)" % (SETTING, part)) from None
    return TrustedProxies(networks=tuple(networks))
