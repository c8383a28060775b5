"""One Danish date format everywhere: templates and code name DATE_FORMAT / DATETIME_FORMAT, never a pattern of
their own (the new user saw "4. Nov" on one page and "18. nov." on another)."""

import re
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format

ROOT = Path(__file__).resolve().parents[2]
# The relative formats of the delivery status ("kl. 14.05" today, "3. maj kl. 14.05" this year) and the audit
# trail's seconds are the same shape, shortened or lengthened on purpose.
ALLOWED_OWN = {'date:"j. F Y \\k\\l. H.i.s"'}


def test_the_formats_in_danish_and_english():
    moment = timezone.make_aware(datetime(2026, 11, 4, 14, 5))
    with translation.override("da"):
        assert date_format(date(2026, 11, 4), "DATE_FORMAT") == "4. november 2026"
        assert date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "4. november 2026 kl. 14.05"
    with translation.override("en"):
        assert date_format(date(2026, 11, 4), "DATE_FORMAT") == "4. November 2026"


def test_no_template_uses_a_date_pattern_of_its_own():
    own = []
    for path in ROOT.rglob("templates/**/*.html"):
        for match in re.findall(r'date:"[^"]*"|date:_\("[^"]*"\)', path.read_text(encoding="utf-8")):
            if match not in ('date:"DATE_FORMAT"', 'date:"DATETIME_FORMAT"') and match not in ALLOWED_OWN:
                own.append(f"{path.relative_to(ROOT)}: {match}")
    assert own == []
