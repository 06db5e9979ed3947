from django import template

from ..access.services import item_label

register = template.Library()


@register.filter
def request_label(document) -> str:
    """A handling as the requester sees it (its title only when it is public)."""
    return item_label(document)


@register.filter
def hours(value: float | None) -> str:
    """Hours with a decimal comma, or a dash when there is nothing to measure."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + " h"


@register.filter
def share(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value * 100)} %"
