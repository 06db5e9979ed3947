"""Staff members' boards and roles; saving one gives the role's permissions."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from ..models import BoardMembership
from ..services import roles
from .common import NoDeleteMixin

admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(NoDeleteMixin, UserAdmin):
    """Accounts are deactivated, never deleted: the history names who changed what, and the
    history cannot be changed (append-only in the database, migration 0025)."""


@admin.register(BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "board", "role"]
    list_filter = ["role", "board"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Chosen by name among the staff accounts, not typed as an id.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        roles.ensure_role_permissions(user=obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        roles.ensure_role_permissions(user=obj.user)
