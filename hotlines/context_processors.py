from django.utils.functional import SimpleLazyObject

from .selectors import freshness_cached


def freshness(request):
    """`freshness` in every template, computed only if a template uses it."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"freshness": SimpleLazyObject(freshness_cached)}
