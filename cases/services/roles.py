"""Staff roles as Django permission groups: what a registrator's and a nämndsekreterare's
work needs. Which boards they act on is decided per object by their board memberships
(``queries.is_member``), not by these permissions.
"""

from django.db import transaction

# What each role's work needs. A registrator registers cases, handlings and bilagor, adds
# aliases and references to any board's case (on the document page), reviews a private
# person's handlings before they are published, and reads the meetings
# and decisions the cases went to; a nämndsekreterare keeps meetings, agendas and decisions
# and reads the cases, handlings and bilagor they are about. Which boards they act on is
# decided per object by their memberships (queries.is_member), not by these permissions.
ROLE_GROUPS = {
    "registrator": (
        "Registrator",
        {
            "case": ("add", "change", "view"),
            "casealias": ("add", "change", "view"),
            "document": ("add", "change", "view"),
            "documentforreview": ("change", "view"),
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
    ),
    "namndsekreterare": (
        "Nämndsekreterare",
        {
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
    ),
}


@transaction.atomic
def ensure_role_permissions(*, user) -> None:
    """Put a staff member in the permission groups of the roles they hold at any board.

    Which boards they may act on is decided per object by their board memberships.
    """
    from django.contrib.auth.models import Group, Permission

    roles = set(user.board_memberships.values_list("role", flat=True))
    for role, (group_name, model_perms) in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        # The groups hold exactly what ROLE_GROUPS says, also after an upgrade changed it.
        codenames = [
            f"{action}_{model}" for model, actions in model_perms.items() for action in actions
        ]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)
