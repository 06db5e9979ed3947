"""A bounded crawler for tests: from a start page, follow every same-site link (``<a href>``
and GET forms with their default values) through the Django test client, once per URL.

It records each page's final status, follows redirects itself (at most ``MAX_REDIRECTS``
hops, a URL seen twice in one chain is a loop) and checks downloads (exports, attachments)
only for their status. Search pages are sampled: a few URLs for each combination of
parameter names, since every facet, sort and page link of every result multiplies them.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
# Answers that are files, not pages: their status is checked, their content is not parsed.
DOWNLOADS = ("/sok/export.", "/bilaga/")
# Pages whose links multiply (facets × sort × page): this many URLs per set of parameters.
SAMPLED = {"/sok/": 3}
SKIPPED = ("/admin/", "/static/", "/media/")


@dataclass
class Problem:
    url: str
    found_on: str | None
    reason: str


@dataclass
class Crawl:
    pages: dict[str, int] = field(default_factory=dict)  # URL -> final status
    redirects: dict[str, str] = field(default_factory=dict)  # URL -> the page it ends on
    problems: list[Problem] = field(default_factory=list)


class _Links(HTMLParser):
    """The ``href`` of every ``a`` and the URL each GET form submits with its defaults."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "area") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = (
                {"action": attrs.get("action") or "", "fields": []} if method == "get" else None
            )
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name") and not attrs.get("disabled"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self._form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"].append((self._select, None))
        elif tag == "option" and self._select:
            name, value = self._form["fields"][-1]
            if value is None or "selected" in attrs:
                self._form["fields"][-1] = (name, attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self._form["fields"].append((attrs["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            fields = [(name, value or "") for name, value in self._form["fields"]]
            self.links.append(self._form["action"] + "?" + urlencode(fields))
            self._form = None


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def _local(url: str, base: str) -> str | None:
    """``url`` as a path and query on this site (no fragment), or None for another site."""
    absolute = urljoin("http://testserver" + base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def crawl(
    client, start: str = "/", *, within: tuple[str, ...] = ("/",), limit: int = 3000
) -> Crawl:
    """Visit every page reachable from ``start``, each URL once (at most ``limit``); the
    links of pages outside ``within`` (path prefixes; the start page is always read) are
    checked but not followed."""
    result = Crawl()
    queue: deque[tuple[str, str | None]] = deque([(start, None)])
    queued = {start}
    sampled: Counter = Counter()
    while queue:
        if len(result.pages) >= limit:
            result.problems.append(Problem(queue[0][0], queue[0][1], f"över {limit} sidor"))
            break
        url, found_on = queue.popleft()
        chain, response = _follow(client, url)
        queued.update(chain)
        for visited in chain:
            result.pages[visited] = response.status_code if response is not None else 0
        if len(chain) > 1:
            result.redirects[url] = chain[-1]
        if response is None:
            loop = " → ".join(chain)
            result.problems.append(Problem(url, found_on, f"omdirigeringsslinga: {loop}"))
            continue
        if response.status_code != 200:
            result.problems.append(Problem(url, found_on, f"svarar {response.status_code}"))
            _drain(response)
            continue
        inside = url == start or chain[-1].startswith(within)
        parse = inside and not url.startswith(DOWNLOADS)
        if not parse or "html" not in response.get("Content-Type", ""):
            _drain(response)
            continue
        for link in page_links(response.content.decode()):
            target = _local(link, chain[-1])
            if target is None or target in queued or target.startswith(SKIPPED):
                continue
            path, _, query = target.partition("?")
            if path in SAMPLED:
                names = tuple(
                    sorted({name for name, _ in parse_qsl(query, keep_blank_values=True)})
                )
                if sampled[path, names] >= SAMPLED[path]:
                    continue
                sampled[path, names] += 1
            queued.add(target)
            queue.append((target, chain[-1]))
    return result


def _follow(client, url: str):
    """GET ``url`` and the redirects after it: the URLs of the chain and the last answer,
    None for the answer when the chain loops or runs too long."""
    chain = [url]
    response = client.get(url)
    while response.status_code in REDIRECTS:
        target = _local(response["Location"], chain[-1])
        if target is None or target in chain or len(chain) > MAX_REDIRECTS:
            chain.append(target or response["Location"])
            return chain, None
        chain.append(target)
        response = client.get(target)
    return chain, response


def _drain(response) -> None:
    """Read a streamed answer to its end (an export fails while it streams, not before)."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
