"""The administrators' delivery dashboard: what waits, fails or has died in the outbox, per channel and
recipient organisation, with links to the admin where a dead delivery is sent again.

Thin view: check the capability, parse the GET filters, read through delivery.selectors, render. The page
shows organisations, channels, counts and notice ids and kinds: no personal data, so no read audit.
"""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from samarbejde.organisations.access import require_capability
from samarbejde.organisations.roles import Cap

from . import selectors
from .forms import DashboardFilterForm
from .models import DeliveryStatus

PAGE_SIZE = 50
FILTER_NAMES = ("kanal", "status", "organisation")


@require_GET
@require_capability(Cap.ADMIN_SITE)
def dashboard(request):
    now = timezone.now()
    form = DashboardFilterForm(
        request.GET if any(name in request.GET for name in FILTER_NAMES) else None,
        organisations=selectors.dashboard_organisations(request.user),
    )
    filters = form.filters()
    counts = selectors.delivery_counts(request.user, now=now, organisations=form.organisations.values(), **filters)
    page = selectors.problem_page(
        request.user,
        **filters,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
        per_page=PAGE_SIZE,
    )
    admin_list = reverse("admin:delivery_delivery_changelist")
    rows = [
        {
            "delivery": delivery,
            "row": selectors.delivery_row(delivery, now, show_errors=True),
            "admin_url": reverse("admin:delivery_delivery_change", args=[delivery.pk]),
        }
        for delivery in page.object_list
    ]
    status = filters["status"]
    context = {
        "form": form,
        "counts": counts,
        "columns": selectors.COUNT_COLUMNS,
        "page": page,
        "list_count": selectors.list_count(counts, status),
        "list_order": "senest sendte først" if status == DeliveryStatus.SENT else "opgivne først, senest ændrede først",
        "rows": rows,
        "list_heading": (
            f"Leveringer med status »{DeliveryStatus(status).label}«" if status else "Fejlede og opgivne leveringer"
        ),
        "admin_dead_url": f"{admin_list}?{urlencode({'status__exact': DeliveryStatus.DEAD})}",
        "admin_failed_url": f"{admin_list}?{urlencode({'status__exact': DeliveryStatus.FAILED})}",
        "now": now,
    }
    return render(request, "delivery/dashboard.html", context)
