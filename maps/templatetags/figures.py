from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share, digits=1):
    """0.2478 -> '24.8%' (localised); a dash when there is no share (no population)."""
    if share is None:
        return "—"  # a dash reads the same in every language
    return f"{number_format(round(share * 100, digits), decimal_pos=digits)}%"


@register.filter
def grouped(number):
    """347000 grouped as the active language writes it ('347,000' in English, '347000' in Chinese)."""
    return number_format(number, force_grouping=True)


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key)
