"""A system check: the industry profiles load and use only layers the county's criteria have,
so that a broken profile file stops `manage.py check` and the server, not an analysis."""
from django.conf import settings
from django.core.checks import Error, register

from analysis.suitability import ProfileError, load_profiles

from .criteria import LAYERS


@register()
def industry_profiles(app_configs, **kwargs):
    try:
        profiles = load_profiles(settings.INDUSTRY_PROFILES)
    except ProfileError as problem:
        return [Error(str(problem), id="siting.E001")]
    return [Error(f"{settings.INDUSTRY_PROFILES.name}: profile {p.industry} uses the layer "
                  f"{layer}, which the criteria do not have; choose from {', '.join(LAYERS)}",
                  id="siting.E002")
            for p in profiles.values() for layer in p.layers if layer not in LAYERS]
