"""Load the legal-basis catalogue shipped in /reference/legal_acts.json (idempotent, never overwrites
what administrators have edited)."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from samarbejde.legal.models import Act, Paragraph

SOURCE = Path(settings.BASE_DIR) / "reference" / "legal_acts.json"


@transaction.atomic
def load_acts() -> int:
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    for order, item in enumerate(data["acts"], start=1):
        act, _ = Act.objects.get_or_create(
            short_name=item["short_name"],
            defaults={
                "title": item["title"],
                "kind": item["kind"],
                "number": item["number"],
                "issued_on": date.fromisoformat(item["issued_on"]),
                "note": item.get("note", ""),
                "is_verified": item.get("verified", True),
                "sort_order": order,
            },
        )
        for p_order, (reference, summary) in enumerate(item["paragraphs"], start=1):
            Paragraph.objects.get_or_create(
                act=act, reference=reference, defaults={"summary": summary, "sort_order": p_order}
            )
    return len(data["acts"])
