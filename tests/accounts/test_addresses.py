"""The address failed sign-ins are counted by: X-Forwarded-For read from the right, as far as
the declared proxies reach, and never further."""

import pytest

from meetbridge.accounts.addresses import UNKNOWN, client_address

PROXY = "10.0.0.9"


def test_without_trusted_proxies_the_header_is_never_read():
    assert client_address(PROXY, "203.0.113.7", 0) == PROXY


def test_one_proxy_gives_the_last_entry():
    assert client_address(PROXY, "203.0.113.7", 1) == "203.0.113.7"


def test_entries_a_client_adds_itself_on_the_left_change_nothing():
    honest = client_address(PROXY, "203.0.113.7", 1)
    assert client_address(PROXY, "198.51.100.1, 203.0.113.7", 1) == honest
    assert client_address(PROXY, "1.1.1.1,2.2.2.2, 198.51.100.1 ,203.0.113.7", 1) == honest


def test_two_proxies_give_the_second_entry_from_the_right():
    # the client's forged entry, the client (added by the outer proxy), the outer proxy
    assert client_address(PROXY, "6.6.6.6, 203.0.113.7, 10.0.0.8", 2) == "203.0.113.7"


def test_too_few_entries_fall_back_to_the_direct_address():
    assert client_address(PROXY, "203.0.113.7", 2) == PROXY


@pytest.mark.parametrize(
    "header",
    [None, "", " ", "203.0.113.7, ", "unknown", "203.0.113.7:4711", "example.test", "999.1.1.1",
     "fe80::1%eth0", "203.0.113.7, <script>"],
)  # fmt: skip
def test_a_missing_or_malformed_header_falls_back_to_the_direct_address(header):
    assert client_address(PROXY, header, 1) == PROXY


def test_ipv6_is_written_one_way():
    assert client_address(PROXY, "2001:DB8:0:0::1", 1) == "2001:db8::1"


def test_no_usable_address_at_all_is_counted_as_one_unknown():
    assert client_address(None, None, 0) == UNKNOWN
    assert client_address("", "bogus", 1) == UNKNOWN
