"""The project's URLs plus a few views that only tests need (two audit events, a crash, a refusal)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns
from samarbejde.audit.services import audit_record


def two_audit_events(request):
    audit_record("test.first", acting_user=request.user)
    audit_record("test.second", acting_user=request.user)
    return HttpResponse("ok")


def crash(request):
    raise RuntimeError("boom")


def refuse(request):
    raise PermissionDenied


BROKEN_PAGE = """<!DOCTYPE html><html lang="da"><head><title>Forkert</title></head><body><main>
<h1>Forkert side</h1><input type="text" name="q"><script>document.title = "inline";</script></main></body></html>"""


def broken_page(request):
    """An unlabelled field and an inline script: the browser harness must report both."""
    return HttpResponse(BROKEN_PAGE)


urlpatterns = [
    path("test/two-events/", two_audit_events),
    path("test/crash/", crash),
    path("test/refuse/", refuse),
    path("test/broken-page/", broken_page),
    *project_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
