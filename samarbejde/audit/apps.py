from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "samarbejde.audit"
    label = "audit"
    verbose_name = "Revisionsspor"

    def ready(self):
        from samarbejde.audit.startpage import audit_section
        from samarbejde.core.startpage import register_section

        register_section("audit", audit_section, order=70)
