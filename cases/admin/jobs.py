"""Background runs in the admin: read-only, with their progress (cases/background.py)."""

from django.contrib import admin

from ..models import BackgroundRun


@admin.register(BackgroundRun)
class BackgroundRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "board", "state", "progress", "started_at", "finished_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["board"]
    fields = [
        "kind",
        "board",
        "path",
        "state",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
        "failures",
        "imported",
    ]
    readonly_fields = fields

    @admin.display(description="förlopp")
    def progress(self, run: BackgroundRun) -> str:
        if not run.total:
            return "–"
        done = f"{run.done} av {run.total} ({100 * run.done // run.total} %)"
        return f"{done}, {run.failed} misslyckade" if run.failed else done

    def has_add_permission(self, request):
        # Started with import_documents --background or rebuild_search_index --background.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
