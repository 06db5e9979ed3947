from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Diarium"

    def ready(self):
        from portal.db_roles import grant_after_migrate

        # Once, after all apps' migrations: the application role's rights on every table.
        post_migrate.connect(grant_after_migrate, sender=self)
