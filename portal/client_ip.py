"""The client's address behind a reverse proxy, for login throttling and rate limits.

Behind a proxy every request arrives from the proxy's address, so REMOTE_ADDR alone would let
one person lock everybody out (django-axes locks username + address). The forwarded header is
read only when the request comes from a configured trusted proxy
(``DJANGO_TRUSTED_PROXIES``); anyone else could write any address into it. Each proxy appends
the address it received the request from, so the client is the right-most address in the
header that is not one of our proxies: addresses further left were written by whoever sent
the request and prove nothing.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """``"10.0.0.1, 172.16.0.0/12"`` -> networks; a bad entry stops the start in Swedish."""
    networks = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {entry!r} är ingen IP-adress eller CIDR-nätverk."
            ) from None
    return networks


def meta_key(header: str) -> str:
    """``"X-Forwarded-For"`` -> ``"HTTP_X_FORWARDED_FOR"`` (the key in request.META)."""
    header = header.strip()
    if not header:
        return ""
    return "HTTP_" + header.upper().replace("-", "_")


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The address of the client that sent ``request`` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_IP_HEADER
    if not header or not _is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    reported_by = remote
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A trusted proxy passed on something that is no address: the last address we
            # can vouch for is the hop that reported it.
            return reported_by
        if not _is_trusted(hop):
            return hop
        reported_by = hop
    return reported_by
