from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from samarbejde.accounts.admin_site import restrict_admin_to_administrators

restrict_admin_to_administrators(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("samarbejde.api.urls")),
    path("konto/", include("samarbejde.accounts.urls")),
    path("revision/", include("samarbejde.audit.urls")),
    path("blanketter/", include("samarbejde.documents.urls")),
    path("organisationer/", include("samarbejde.organisations.urls")),
    path("indbakke/", include("samarbejde.notifications.urls")),
    path("klienter/", include("samarbejde.custody.urls")),
    path("handleplaner/", include("samarbejde.action_plans.urls")),
    path("personundersoegelser/", include("samarbejde.pre_sentence.urls")),
    path("samtykke/", include("samarbejde.consent.urls")),
    path("drift/", include("samarbejde.delivery.urls")),
    path("", include("samarbejde.core.urls")),
    path("", include("samarbejde.public.urls")),
]

handler400 = "samarbejde.core.views.bad_request"
handler404 = "samarbejde.core.views.page_not_found"
handler403 = "samarbejde.core.views.permission_denied"
handler500 = "samarbejde.core.views.server_error"

if settings.DEBUG:  # pragma: no cover
    pass
