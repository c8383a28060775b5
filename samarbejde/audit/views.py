from django.shortcuts import render

from samarbejde.organisations.access import require_capability
from samarbejde.organisations.roles import Cap


@require_capability(Cap.AUDIT_SEARCH)
def search(request):  # placeholder, replaced by the audit search page
    return render(request, "core/error.html", {"title": "Revisionsspor", "code": 200, "text": ""})
