from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "samarbejde.audit"
    label = "audit"
    verbose_name = "Revisionsspor"
