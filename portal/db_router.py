"""Read replicas: public reads go to a healthy streaming replica, everything else to the primary.

A request is routed once, when it starts (``ReplicaReadsMiddleware``):

- a GET or HEAD outside the admin, from a visitor who has not written in the last
  ``READ_YOUR_WRITES_SECONDS``, reads from one healthy replica;
- everything else (the admin, a form that posts, a visitor just after a write, a management
  command, a background worker) reads and writes the primary.

Writes always go to the primary; a request that writes reads the primary from then on and sets
a cookie, so the same browser reads the primary for a short window (a replica may not yet have
replayed the write). A replica is healthy when it answers within ``connect_timeout`` and has
replayed the primary's WAL to within ``REPLICA_MAX_LAG_SECONDS``; the answer is kept
``REPLICA_HEALTH_SECONDS`` per process. A replica that fails during a request is marked down and
the view runs again on the primary: a visitor never sees a replica's failure.

Raw SQL in ``cases/queries.py`` and ``cases/exports.py`` goes through ``read_connection``, which is
the connection the router chose for this request. Sizing and managed services: docs/capacity.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.urls import reverse

# Sessions, logins, lockouts and the job queue are read where they are written: a session
# saved by one request must be found by the next, whatever a replica has replayed.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "admin", "axes", "procrastinate"})
WROTE_COOKIE = "np_primary"

# Lag in seconds: 0 when the replica has replayed all it received (an idle primary sends no
# commits, so the last replay timestamp alone would grow without bound); NULL on a server not
# in recovery (a "replica" URL that points at a primary is never stale).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _Route:
    """Where this request reads; ``wrote`` once it has written anything."""

    alias: str = DEFAULT_DB_ALIAS
    wrote: bool = False
    replica_failed: list[str] = field(default_factory=list)


_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar("np_db_route", default=None)
_health: dict[str, tuple[float, bool]] = {}
_health_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def current_read_alias() -> str:
    route = _route.get()
    return route.alias if route is not None else DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return current_read_alias()

    def db_for_write(self, model, **hints):
        route = _route.get()
        if route is not None:
            route.wrote = True
            route.alias = DEFAULT_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class _ReadConnection:
    """``django.db.connection`` for reads: the connection of the alias this request reads."""

    def __getattr__(self, name):
        return getattr(connections[current_read_alias()], name)


read_connection = _ReadConnection()


# --- Replica health ---------------------------------------------------------------------------


def replica_lag(alias: str) -> float | None:
    """Seconds the replica ``alias`` is behind (None: not in recovery). Raises DatabaseError."""
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        lag = cursor.fetchone()[0]
    return None if lag is None else float(lag)


def _check(alias: str) -> bool:
    try:
        lag = replica_lag(alias)
    except DatabaseError:
        _close_quietly(alias)
        return False
    return lag is None or lag <= settings.REPLICA_MAX_LAG_SECONDS


def is_healthy(alias: str) -> bool:
    now = time.monotonic()
    with _health_lock:
        cached = _health.get(alias)
    if cached is not None and now - cached[0] < settings.REPLICA_HEALTH_SECONDS:
        return cached[1]
    healthy = _check(alias)
    with _health_lock:
        _health[alias] = (time.monotonic(), healthy)
    return healthy


def mark_down(alias: str) -> None:
    """Skip ``alias`` until the next health check is due."""
    with _health_lock:
        _health[alias] = (time.monotonic(), False)
    _close_quietly(alias)


def forget_health() -> None:
    with _health_lock:
        _health.clear()


def healthy_replica() -> str | None:
    """A healthy replica chosen at random (spreads the load), or None."""
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        if is_healthy(alias):
            return alias
    return None


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


@contextlib.contextmanager
def primary():
    """Read the primary inside the block (e.g. a GET view that reads what it is about to write)."""
    token = _route.set(_Route())
    try:
        yield
    finally:
        _route.reset(token)


# --- Per request --------------------------------------------------------------------------------


class ReplicaReadsMiddleware:
    """Chooses where a request reads; after a write, keeps the browser on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = _Route(alias=self._read_alias(request))
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if response.streaming:
            # An export is read while it is sent, after this method has returned.
            response.streaming_content = _streamed_within(route, response.streaming_content)
        if route.wrote or request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _read_alias(self, request) -> str:
        if not replica_aliases() or request.method not in ("GET", "HEAD"):
            return DEFAULT_DB_ALIAS
        if request.path.startswith(reverse("admin:index")) or WROTE_COOKIE in request.COOKIES:
            return DEFAULT_DB_ALIAS
        return healthy_replica() or DEFAULT_DB_ALIAS

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._np_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """A replica that fails mid-request: mark it down and run the view on the primary."""
        route = _route.get()
        if route is None or route.alias == DEFAULT_DB_ALIAS:
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        mark_down(route.alias)
        route.replica_failed.append(route.alias)
        route.alias = DEFAULT_DB_ALIAS
        view_func, view_args, view_kwargs = request._np_view
        return view_func(request, *view_args, **view_kwargs)


def _streamed_within(route: _Route, content):
    iterator = iter(content)
    while True:
        previous = _route.get()
        _route.set(route)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _route.set(previous)
        yield chunk
