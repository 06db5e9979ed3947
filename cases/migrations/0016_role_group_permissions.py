"""Registrators add references to other boards' cases and read meetings; nämndsekreterare
read the cases' aliases, status history, bilagor and references (issue 20). Existing role
groups get the permissions services.ROLE_GROUPS now lists; a new database has no groups yet
(services.ensure_role_permissions creates them with the first membership)."""

from django.db import migrations

ROLES = {
    "Registrator": {
        "case": ("add", "change", "view"),
        "casealias": ("add", "change", "view"),
        "document": ("add", "change", "view"),
        "attachment": ("add", "change", "view"),
        "reference": ("add", "view"),
        "personaldatafinding": ("change", "view"),
        "casestatuschange": ("view",),
        "dnrseries": ("view",),
        "board": ("view",),
        "meeting": ("view",),
        "agendaitem": ("view",),
        "decision": ("view",),
    },
    "Nämndsekreterare": {
        "meeting": ("add", "change", "view"),
        "agendaitem": ("add", "change", "view"),
        "decision": ("add", "change", "view"),
        "case": ("view",),
        "casealias": ("view",),
        "casestatuschange": ("view",),
        "document": ("view",),
        "attachment": ("view",),
        "reference": ("view",),
        "board": ("view",),
    },
}


def sync_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, model_perms in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        codenames = [f"{a}_{model}" for model, actions in model_perms.items() for a in actions]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0015_case_search"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
