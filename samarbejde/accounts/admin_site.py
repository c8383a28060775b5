"""Django's admin is for administrators only: the `admin.site` capability, not just is_staff."""

from samarbejde.organisations.roles import Cap


def restrict_admin_to_administrators(site) -> None:
    def has_permission(request) -> bool:
        from samarbejde.organisations.access import user_can

        user = request.user
        return bool(user.is_active and user.is_staff and user_can(user, Cap.ADMIN_SITE))

    site.has_permission = has_permission
    site.site_header = "Samarbejde – administration"
    site.site_title = "Samarbejde"
    site.index_title = "Administration"
