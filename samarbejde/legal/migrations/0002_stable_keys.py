"""Stable keys for acts and paragraphs: rules cite `Paragraph.key`, so renaming an act breaks nothing.

Existing rows get the keys of the shipped reference data (matched on the act's short name, as loaded),
and a key derived from the name for acts administrators added themselves.
"""

import json
import re
from pathlib import Path

from django.db import migrations, models
from django.utils.text import slugify

SOURCE = Path(__file__).resolve().parents[3] / "reference" / "legal_acts.json"


def _paragraph_key(act_key: str, reference: str) -> str:
    # Kept here as it was when this migration was written (legal.reference.paragraph_key may evolve).
    numbers = re.findall(r"\d+[a-z]?", (reference or "").lower())
    return f"{act_key}:{'-'.join(numbers)}" if numbers else act_key


def add_keys(apps, schema_editor):
    Act = apps.get_model("legal", "Act")
    Paragraph = apps.get_model("legal", "Paragraph")
    shipped = {item["short_name"]: item for item in json.loads(SOURCE.read_text(encoding="utf-8"))["acts"]}
    used: set[str] = set()
    for act in Act.objects.order_by("sort_order", "short_name"):
        item = shipped.get(act.short_name)
        key = item["key"] if item else slugify(act.short_name.replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))
        base, n = key or "act", 2
        while key in used or not key:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        act.key = key
        if item and not act.url:
            act.url = item.get("url", "")
        act.save(update_fields=["key", "url"])
        for paragraph in Paragraph.objects.filter(act=act):
            paragraph.key = _paragraph_key(key, paragraph.reference)
            paragraph.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="act",
            name="key",
            # No index yet: the unique index comes with the AlterField below (PostgreSQL would get two "_like"
            # indexes of the same name otherwise).
            field=models.SlugField(db_index=False, max_length=80, null=True, verbose_name="nøgle"),
        ),
        migrations.AddField(
            model_name="paragraph",
            name="key",
            field=models.CharField(max_length=120, null=True, verbose_name="nøgle"),
        ),
        migrations.RunPython(add_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="act",
            name="key",
            field=models.SlugField(
                help_text="Fast nøgle, som reglerne henviser til.", max_length=80, unique=True, verbose_name="nøgle"
            ),
        ),
        migrations.AlterField(
            model_name="paragraph",
            name="key",
            field=models.CharField(
                help_text="Fast nøgle, som reglerne henviser til.", max_length=120, unique=True, verbose_name="nøgle"
            ),
        ),
    ]
