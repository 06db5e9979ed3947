"""The registrators' admin.

Nothing here deletes a case, document or attachment (makulering instead). Registrators
change only their own boards' series; staff see confidential data only for their boards,
also when they type another board's URL: the querysets themselves are filtered.

One module per concern; importing this package registers them all (Django's admin
autodiscovery imports ``cases.admin``).
"""

from . import jobs  # noqa: F401
from .common import REGISTRAR, SECRETARY, NoDeleteMixin, StaffBoardMixin, export_selected_csv
from .documents import (
    AttachmentAdmin,
    AttachmentFormSet,
    AttachmentInline,
    DocumentAdmin,
    PersonalDataFindingAdmin,
    PersonalDataInline,
)
from .meetings import AgendaItemAdmin, AgendaItemInline, DecisionAdmin, DecisionInline, MeetingAdmin
from .memberships import BoardMembershipAdmin
from .references import (
    ManualReferenceFormSet,
    ManualReferenceInline,
    ReferenceAdmin,
    ReferenceInline,
)
from .register import (
    BoardAdmin,
    CaseAdmin,
    CaseAliasInline,
    CaseStatusChangeAdmin,
    CaseStatusChangeInline,
    DnrSeriesAdmin,
    DocumentInline,
)
from .review import DocumentForReviewAdmin

__all__ = [
    "REGISTRAR",
    "SECRETARY",
    "NoDeleteMixin",
    "export_selected_csv",
    "StaffBoardMixin",
    "BoardAdmin",
    "CaseAliasInline",
    "CaseStatusChangeInline",
    "DocumentInline",
    "CaseAdmin",
    "CaseStatusChangeAdmin",
    "DnrSeriesAdmin",
    "AttachmentFormSet",
    "AttachmentInline",
    "PersonalDataInline",
    "DocumentAdmin",
    "AttachmentAdmin",
    "PersonalDataFindingAdmin",
    "ReferenceInline",
    "ManualReferenceFormSet",
    "ManualReferenceInline",
    "ReferenceAdmin",
    "AgendaItemInline",
    "DecisionInline",
    "MeetingAdmin",
    "AgendaItemAdmin",
    "DecisionAdmin",
    "BoardMembershipAdmin",
    "DocumentForReviewAdmin",
]
# isort: split
# The queue of requests to see handlings ("Utlämnandebegäranden") has its own module.
from ..access import admin as access_admin  # noqa: E402, F401
