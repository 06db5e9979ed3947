from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cases.models.common import public_text
from cases.search.language import HEADLINE_START, HEADLINE_STOP

register = template.Library()


@register.filter
def highlight(snippet: str) -> str:
    """Escape imported text first, then mark the matches: imported text is never trusted.
    Snippets are cut from masked text (search.snippets); masking again here covers any
    other text given to this filter."""
    escaped = str(escape(public_text(snippet)))
    return mark_safe(escaped.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>"))


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None/"" removes them).

    Changing anything but the page goes back to page 1.
    """
    params = context["request"].GET.copy()
    if "sida" not in changes:
        params.pop("sida", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def url_with_param(context, name: str, value) -> str:
    """``url_with`` for a parameter whose name is itself a variable (facet links)."""
    return url_with(context, **{name: value})


@register.filter
def thousands(value) -> str:
    """Swedish digit grouping with a no-break space: 54000 -> "54 000"."""
    try:
        return f"{int(value):,}".replace(",", "\u00a0")
    except (TypeError, ValueError):
        return str(value)
