from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "samarbejde.documents"
    label = "documents"
    verbose_name = "Blanketter og dokumenter"
