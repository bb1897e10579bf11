"""gateway/http/client_address.py: the client address for per-client limits behind trusted
proxies (rightmost-untrusted rule), and the GATEWAY_TRUSTED_PROXIES setting."""
import pytest

from gateway.http.client_address import TrustedProxies, parse_address, parse_trusted_proxies

INGRESS = "10.42.0.9"


def test_without_trusted_proxies_the_socket_address_is_the_client_whatever_the_header_says():
    none = parse_trusted_proxies("")
    assert none.client("192.0.2.7", ["203.0.113.5"]) == "192.0.2.7"
    assert parse_trusted_proxies(None).client("192.0.2.7", []) == "192.0.2.7"


@pytest.mark.parametrize("setting", ["1", "10.0.0.0/8", " 10.42.0.0/16 , 192.168.1.7 "])
def test_behind_the_ingress_each_client_is_itself(setting):
    proxies = parse_trusted_proxies(setting)
    assert proxies.client(INGRESS, ["203.0.113.5"]) == "203.0.113.5"
    assert proxies.client(INGRESS, ["198.51.100.23"]) == "198.51.100.23"


@pytest.mark.parametrize("setting", ["1", "10.0.0.0/8"])
def test_entries_a_client_writes_itself_are_never_believed(setting):
    proxies = parse_trusted_proxies(setting)
    for spoofed in ("1.2.3.4", "10.0.0.1", "junk", "127.0.0.1, 8.8.8.8"):
        assert proxies.client(INGRESS, ["%s, 203.0.113.5" % spoofed]) == "203.0.113.5"
    # Several header lines are one list, in order.
    assert proxies.client(INGRESS, ["1.2.3.4", "203.0.113.5"]) == "203.0.113.5"


def test_networks_walk_past_every_trusted_hop_from_the_right():
    proxies = parse_trusted_proxies("10.0.0.0/8, 172.16.0.0/12")
    chain = ["6.6.6.6, 203.0.113.5, 172.16.3.4, 10.1.1.1"]
    assert proxies.client(INGRESS, chain) == "203.0.113.5"
    # A client inside a trusted network that writes junk is that client, not the junk.
    assert proxies.client(INGRESS, ["junk, 10.1.1.1"]) == "10.1.1.1"
    # Everything trusted: the leftmost address a proxy vouched for.
    assert proxies.client(INGRESS, ["10.1.1.1"]) == "10.1.1.1"


def test_a_peer_that_is_no_trusted_proxy_is_the_client_even_with_a_header():
    proxies = parse_trusted_proxies("10.0.0.0/8")
    assert proxies.client("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9"


def test_hops_count_proxies_in_a_row_and_a_short_header_falls_back_to_the_socket():
    two = parse_trusted_proxies("2")
    assert two.client(INGRESS, ["6.6.6.6, 203.0.113.5, 10.0.0.3"]) == "203.0.113.5"
    assert two.client(INGRESS, ["203.0.113.5"]) == INGRESS
    assert parse_trusted_proxies("1").client(INGRESS, []) == INGRESS
    assert parse_trusted_proxies("1").client(INGRESS, ["not-an-ip"]) == INGRESS


def test_ports_brackets_and_ipv4_mapped_addresses_are_normalised():
    assert str(parse_address("203.0.113.5:4711")) == "203.0.113.5"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:203.0.113.5")) == "203.0.113.5"
    assert parse_address("nonsense") is None and parse_address(None) is None
    proxies = parse_trusted_proxies("::1, 127.0.0.1")
    assert proxies.client("::1", ["[2001:db8::7]:5000"]) == "2001:db8::7"


@pytest.mark.parametrize("setting", ["eleven", "10.0.0.0/33", "11", "1.2.3"])
def test_a_setting_that_means_nothing_stops_the_gateway_with_its_name(setting):
    with pytest.raises(ValueError, match="GATEWAY_TRUSTED_PROXIES"):
        parse_trusted_proxies(setting)


def test_numbers_from_yaml_are_accepted():
    assert parse_trusted_proxies(1) == TrustedProxies(hops=1)
