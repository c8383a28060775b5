from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def change_request_list(request):  # placeholder, replaced by the change-request flow
    return render(request, "core/error.html", {"title": "Ændringsforslag", "code": 200, "text": ""})
