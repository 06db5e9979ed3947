"""A PostgreSQL backend that connects to the embedded server, starting it when needed."""

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        from .server import ensure_server

        params = super().get_connection_params()
        params["host"] = ensure_server(
            settings.EMBEDDED_POSTGRES_DIR, database=settings.DATABASES["default"]["NAME"]
        )
        params["user"] = "postgres"
        return params
