"""The application's database role (issue 19.8): the SQL in deploy/, run from Python.

deploy/roles.sql creates the owner and the application role (once, by a superuser);
deploy/app-grants.sql gives the application role its table rights and is applied after every
migrate run when DATABASE_APP_ROLE names the role. Both are psql scripts with psql variables
(:"name" an identifier, :'name' a string), so a DBA can read and run them as they are; the
tests and migrate run the same files through :func:`psql_script`.
"""

import re
from pathlib import Path

from django.conf import settings
from django.db import connections

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
_VARIABLE = re.compile(r""":(["'])(\w+)\1""")


def psql_script(name: str, **variables: str) -> str:
    """The script ``deploy/<name>`` with its psql variables filled in, quoted as psql does."""

    def quoted(match: re.Match) -> str:
        quote, value = match.group(1), variables[match.group(2)]
        return quote + value.replace(quote, quote + quote) + quote

    return _VARIABLE.sub(quoted, (DEPLOY_DIR / name).read_text(encoding="utf-8"))


def grant_app_role(*, using: str = "default", app_role: str) -> None:
    """Give ``app_role`` exactly the rights in deploy/app-grants.sql (idempotent)."""
    with connections[using].cursor() as cursor:
        cursor.execute(psql_script("app-grants.sql", app=app_role))


def grant_after_migrate(sender, *, using: str, **kwargs) -> None:
    """post_migrate: new tables get the application role's rights at once."""
    if settings.DATABASE_APP_ROLE:
        grant_app_role(using=using, app_role=settings.DATABASE_APP_ROLE)
