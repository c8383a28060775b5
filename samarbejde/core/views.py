from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samarbejde.core.models import WorkerHeartbeat
from samarbejde.core.selectors import start_page_for


@never_cache
def healthz(request):
    """Database and task-worker status as JSON; 503 when either is not ok (for load balancers)."""
    status = {"database": {"ok": False}, "worker": {"ok": False, "last_heartbeat": None}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # the point of a health check: report, never raise
        status["database"] = {"ok": False, "error": exc.__class__.__name__}
    if status["database"]["ok"]:
        beat = WorkerHeartbeat.objects.order_by("-beat_at").first()
        if beat is not None:
            age = (timezone.now() - beat.beat_at).total_seconds()
            stale_after = 3 * settings.WORKER_HEARTBEAT_SECONDS
            status["worker"] = {
                "ok": age <= stale_after,
                "last_heartbeat": beat.beat_at.isoformat(),
                "age_seconds": round(age, 1),
                "stale_after_seconds": stale_after,
            }
    ok = status["database"]["ok"] and status["worker"]["ok"]
    return JsonResponse({"status": "ok" if ok else "degraded", **status}, status=200 if ok else 503)


@login_required
def start(request):
    """The staff start page: what is waiting for the current membership's role."""
    return render(request, "core/start.html", {"start": start_page_for(request.user)})


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    """API paths answer errors as RFC 9457 problem details, also when no API view was matched.

    Deliberately not translated: the API speaks Danish, whatever language the browser asks for.
    """
    response = JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail}, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return _problem(404, "Ikke fundet", "Adressen findes ikke i API'et.")
    return render(
        request,
        "core/error.html",
        {
            "title": _("Siden findes ikke"),
            "code": 404,
            "text": _("Siden findes ikke, eller du har ikke adgang til den. Tjek adressen, eller gå til forsiden."),
        },
        status=404,
    )


def permission_denied(request, exception=None):
    if _is_api(request):
        return _problem(403, "Ingen adgang", "Du har ikke adgang til denne ressource.")
    return render(
        request,
        "core/error.html",
        {
            "title": _("Ingen adgang"),
            "code": 403,
            "text": _(
                "Din rolle giver ikke adgang til denne side. Kontakt din administrator, hvis du mener, det er en fejl."
            ),
        },
        status=403,
    )


def server_error(request):
    if _is_api(request):
        return _problem(500, "Serverfejl", "Der skete en uventet fejl. Prøv igen om lidt.")
    return render(
        request,
        "core/error.html",
        {
            "title": _("Der opstod en fejl"),
            "code": 500,
            "text": _("Der skete en uventet fejl. Intet er gemt halvt. Prøv igen om lidt."),
        },
        status=500,
    )


def bad_request(request, exception=None):
    """Django's 400 (a SuspiciousOperation, e.g. RequestDataTooBig when a body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE
    or too many fields): problem details on the API, a Danish page elsewhere; a body too large is a 413."""
    too_large = isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent))
    if _is_api(request):
        if too_large:
            return _problem(
                413, "Indholdet fylder for meget", "Indholdet fylder for meget. Send mindre pr. forespørgsel."
            )
        return _problem(400, "Forkert forespørgsel", "Forespørgslen kunne ikke behandles.")
    if too_large:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Indholdet fylder for meget"),
                "code": 413,
                "text": _(
                    "Det, du sendte, fylder for meget og er ikke modtaget. Gå tilbage, og send mindre ad gangen, "
                    "fx kortere tekst eller færre filer. Intet er gemt."
                ),
            },
            status=413,
        )
    return render(
        request,
        "core/error.html",
        {"title": _("Forkert forespørgsel"), "code": 400, "text": _("Forespørgslen kunne ikke behandles.")},
        status=400,
    )


def csrf_failure(request, reason=""):
    """Django's CSRF failure page in Danish (an expired form is the usual cause)."""
    return render(
        request,
        "core/error.html",
        {
            "title": _("Formularen er udløbet"),
            "code": 403,
            "text": _(
                "Formularen kunne ikke sendes, fordi siden var for gammel, eller cookies er slået fra. "
                "Gå tilbage, genindlæs siden, og prøv igen. Det, du skrev, er ikke gemt."
            ),
        },
        status=403,
    )
