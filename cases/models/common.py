"""What the model modules share: the public form of a title and of a free text, and the
check constraint helper for choices.

Every channel that shows the public a text (the pages, search snippets, exports, feeds,
calendars, the OParl API, alert mail, another board's admin view) takes it through
``public_title`` or ``public_text``, most often through the models' ``display_*`` and
``public_*`` properties built on them: personnummer never appear on a municipal web page
(Datainspektionen/IMY)."""

from django.db import models
from django.db.models import Q

from ..personal_data import mask_personal_numbers

PROTECTED_TITLE = "[Skyddat]"
# A sender or recipient who is a private person, as the public sees them (their name is
# personal data, published only after a registrator's review).
PRIVATE_PERSON = "Privatperson"


def public_title(title: str, protected_title: str, protected: bool) -> str:
    """The title the public may see (OSL 5 kap. 2 §: dnr and date always, title maybe;
    personnummer never)."""
    if protected:
        return mask_personal_numbers(protected_title) or PROTECTED_TITLE
    return mask_personal_numbers(title)


def public_text(text: str | None) -> str:
    """A free text (summary, full text, decision, bilaga, agenda item, ...) as the public may
    read it: every personnummer masked, line breaks kept."""
    return mask_personal_numbers(text or "")


def in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})
