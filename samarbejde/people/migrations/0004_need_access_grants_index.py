# The data-protection officer's list of need-access grants (/revision/begrundede-adgange/, ADR 0014): a partial
# index in the list's order, so a keyset page is an index range scan of one page.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisations", "0004_contact_demo_mark"),
        ("people", "0003_links_decide_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="personlink",
            index=models.Index(
                condition=models.Q(("reason", "need_access")),
                fields=["-opened_at", "-id"],
                name="personlink_need_access_time",
            ),
        ),
    ]
