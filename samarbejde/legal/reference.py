"""Load the legal-basis catalogue shipped in /reference/legal_acts.json (idempotent, never overwrites
what administrators have edited).

Acts and paragraphs are matched on their stable keys, so an act renamed in the admin is still the same act.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from samarbejde.legal.models import Act, Paragraph, paragraph_key

SOURCE = Path(settings.BASE_DIR) / "reference" / "legal_acts.json"


@transaction.atomic
def load_acts() -> int:
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    for order, item in enumerate(data["acts"], start=1):
        act, created = Act.objects.get_or_create(
            key=item["key"],
            defaults={
                "short_name": item["short_name"],
                "title": item["title"],
                "kind": item["kind"],
                "number": item["number"],
                "issued_on": date.fromisoformat(item["issued_on"]),
                "url": item.get("url", ""),
                "note": item.get("note", ""),
                "is_verified": item.get("verified", True),
                "sort_order": order,
            },
        )
        if not created and not act.url and item.get("url"):
            # The link was added to the reference data later: fill it in, but never replace an edited one.
            Act.objects.filter(pk=act.pk).update(url=item["url"])
        for p_order, (reference, summary) in enumerate(item["paragraphs"], start=1):
            Paragraph.objects.get_or_create(
                key=paragraph_key(act.key, reference),
                defaults={"act": act, "reference": reference, "summary": summary, "sort_order": p_order},
            )
    return len(data["acts"])
