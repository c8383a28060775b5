from django.shortcuts import render


def docs(request):  # placeholder, replaced by the API docs page
    return render(request, "core/error.html", {"title": "API", "code": 200, "text": ""})
