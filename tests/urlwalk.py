"""Walking the site's URL conf and the API schema: shared by the audit-completeness test
(tests/privacy/test_audit_completeness.py) and the access matrix (tests/access_matrix/)."""

from django.contrib import admin
from django.urls import URLResolver, get_resolver

# Each registered ModelAdmin has the same six URL patterns (suffix after "admin/<app>/<model>/" -> view).
ADMIN_VIEWS = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "redirect",
}


def url_patterns(resolver=None, prefix: str = ""):
    """Every URL pattern as its full route (e.g. "klienter/forloeb/<uuid:pk>/"), the admin's included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def admin_model_patterns():
    """(route, model label, view) for the six per-model patterns of every registered ModelAdmin."""
    for model in admin.site._registry:
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        for suffix, view in ADMIN_VIEWS.items():
            yield base + suffix, model._meta.label_lower, view


def api_operations() -> list[str]:
    """The API's operations as the drf-spectacular schema lists them ("METHOD path")."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = ("get", "post", "put", "patch", "delete")
    return sorted(
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item if method in methods
    )


def is_id_bearing(route: str) -> bool:
    """A route that takes a value from the URL (a converter or a named regex group)."""
    return "<" in route


def operation_is_id_bearing(operation: str) -> bool:
    return "{" in operation
