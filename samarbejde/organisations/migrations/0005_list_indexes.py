# The change-request lists' indexes (ADR 0014): the public history of a municipality and the reviewers' list
# (pending first, an expression index on the expression the list orders by).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_contact_demo_mark"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactchangerequest",
            index=models.Index(
                condition=models.Q(("status", "approved")),
                fields=["organisation", "-decided_at", "-id"],
                name="changerequest_history",
            ),
        ),
        migrations.AddIndex(
            model_name="contactchangerequest",
            index=models.Index(
                models.Case(
                    models.When(status="pending", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="changerequest_pending_first",
            ),
        ),
    ]
