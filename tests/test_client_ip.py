"""The client address behind a reverse proxy (issue 19.9): the forwarded header counts only
when a trusted proxy sent the request; login throttling (django-axes) and the request rate
limit use it."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from portal.client_ip import client_ip, meta_key, parse_networks

PROXY = "10.0.0.2"
PASSWORD = "Ett-långt-lösenord-2026"


@pytest.fixture
def behind_proxy(settings):
    settings.CLIENT_IP_HEADER = meta_key("X-Forwarded-For")
    settings.TRUSTED_PROXIES = parse_networks(f"{PROXY}, 172.16.0.0/12")
    return settings


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_proxy_configuration_the_header_is_ignored(settings):
    settings.CLIENT_IP_HEADER = ""
    settings.TRUSTED_PROXIES = []

    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_trusted_proxy_gives_the_right_most_untrusted_address(behind_proxy):
    assert address(PROXY, "198.51.100.7") == "198.51.100.7"
    # The left-most entries were written by the client: they prove nothing.
    assert address(PROXY, "203.0.113.1, 198.51.100.7") == "198.51.100.7"
    # Two proxies of ours in a row (the inner one in a trusted network).
    assert address(PROXY, "203.0.113.1, 198.51.100.7, 172.16.4.5") == "198.51.100.7"
    assert address(PROXY, "2001:db8::7") == "2001:db8::7"


def test_header_from_an_untrusted_address_is_ignored(behind_proxy):
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_proxy_without_or_with_a_broken_header_gives_the_last_address_we_trust(behind_proxy):
    assert address(PROXY) == PROXY
    assert address(PROXY, "172.16.4.5") == "172.16.4.5"
    assert address(PROXY, "198.51.100.7, inte-en-adress") == PROXY
    assert address(PROXY, "inte-en-adress, 172.16.4.5") == "172.16.4.5"


def test_header_names_and_networks_are_read_from_configuration():
    assert meta_key("X-Forwarded-For") == "HTTP_X_FORWARDED_FOR"
    assert meta_key(" X-Real-IP ") == "HTTP_X_REAL_IP"
    assert meta_key("") == ""
    assert [str(n) for n in parse_networks("10.0.0.2, 172.16.0.0/12,,fd00::/8")] == [
        "10.0.0.2/32",
        "172.16.0.0/12",
        "fd00::/8",
    ]


def test_bad_trusted_proxy_entry_stops_the_start_in_swedish():
    with pytest.raises(ImproperlyConfigured) as error:
        parse_networks("10.0.0.2, proxy.example.se")

    assert str(error.value) == (
        "DJANGO_TRUSTED_PROXIES: 'proxy.example.se' är ingen IP-adress eller CIDR-nätverk."
    )


def fail_login(client, **meta):
    return client.post("/admin/login/", {"username": "reg", "password": "fel"}, **meta)


def log_in(client, **meta):
    return client.post(
        "/admin/login/?next=/admin/", {"username": "reg", "password": PASSWORD}, **meta
    )


@pytest.fixture
def registrar(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    return User.objects.create_user("reg", password=PASSWORD, is_staff=True)


def test_without_proxy_configuration_a_spoofed_header_does_not_escape_the_lockout(
    client, registrar, settings
):
    settings.CLIENT_IP_HEADER = ""
    settings.TRUSTED_PROXIES = []
    for number in range(3):
        fail_login(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    locked = log_in(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert locked.status_code == 429


def test_behind_the_proxy_two_clients_are_locked_out_separately(client, registrar, behind_proxy):
    for _ in range(3):
        fail_login(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    locked = log_in(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = log_in(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert locked.status_code == 429
    assert (other.status_code, other["Location"]) == (302, "/admin/")


def test_spoofed_header_from_an_untrusted_address_does_not_escape_the_lockout(
    client, registrar, behind_proxy
):
    for number in range(3):
        fail_login(client, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    locked = log_in(client, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert locked.status_code == 429


def test_request_rate_limit_counts_the_client_behind_the_proxy(client, register, behind_proxy):
    from cases.access import services
    from cases.access.models import AccessOrder

    for n in range(services.RATE_LIMIT_PER_HOUR):
        services.submit_order(
            document_ids=[register.ks_public.pk],
            email=f"person{n}@example.se",
            delivery="papper",
            ip="198.51.100.7",
            base_url="http://testserver/",
        )
    client.post("/begar/lagg-till/", {"handling": register.ks_public.pk})
    form = {"email": "ny@example.se", "delivery": "papper", "message": "", "website": ""}

    limited = client.post("/begar/", form, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = client.post("/begar/", form, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert limited.status_code == 429
    assert other.status_code == 302
    assert AccessOrder.objects.latest("pk").ip_hash == services.hash_ip("198.51.100.8")


def test_alert_subscriptions_count_the_client_behind_the_proxy(client, boards, behind_proxy):
    from cases.alerts import services
    from cases.alerts.models import SubscriptionRequest

    response = client.post(
        "/bevaka/",
        {"epost": "a@example.se", "bevaka": "sokning", "mal": "q=parkbänkar", "website": ""},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7",
    )

    assert response.status_code == 200
    assert SubscriptionRequest.objects.get().ip_hash == services.hash_ip("198.51.100.7")
