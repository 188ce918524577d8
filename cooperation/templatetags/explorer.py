from django import template

from cooperation.explorer.pages import explorer_url

register = template.Library()


@register.filter
def page_url(record) -> str:
    """The record's explorer page (empty for a model that has none)."""
    return explorer_url(record) or ""
