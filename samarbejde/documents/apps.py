from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "samarbejde.documents"
    label = "documents"
    verbose_name = "Blanketter og dokumenter"

    def ready(self):
        from samarbejde.core.reference import register_reference_loader
        from samarbejde.documents.reference import load_public_documents

        register_reference_loader("public document titles", load_public_documents, order=40)
