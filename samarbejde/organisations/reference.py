"""Loading the reference data shipped in /reference: idempotent, safe to run on every start.

Facts (municipalities, regions, police districts) are brought up to date on every run. Units that
administrators maintain in the admin (KRFO units, other authorities) are only created when missing,
so a later edit in the admin is never overwritten.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from samarbejde.organisations.models import Department, Organisation, Region
from samarbejde.organisations.roles import DepartmentKind, OrgKind

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


# Official names that are not "<short> Kommune": Bornholm is a regional municipality; København takes the genitive.
OFFICIAL_NAMES = {"Bornholm": "Bornholms Regionskommune", "København": "Københavns Kommune"}


def municipality_name(short: str) -> str:
    """'Aabenraa' -> 'Aabenraa Kommune', 'København' -> 'Københavns Kommune'."""
    return OFFICIAL_NAMES.get(short, f"{short} Kommune")


def ensure_municipal_departments(municipality: Organisation) -> None:
    existing = set(municipality.departments.values_list("kind", flat=True))
    Department.objects.bulk_create(
        [
            Department(organisation=municipality, kind=kind, name=label)
            for kind, label in DepartmentKind.choices
            if kind not in existing
        ]
    )


@transaction.atomic
def load_municipalities() -> int:
    rows = _rows("kommuner.tsv")
    regions: dict[str, Region] = {}
    districts: dict[str, Organisation] = {}
    for row in rows:
        region_code = row["regionskode"]
        if region_code not in regions:
            regions[region_code], _ = Region.objects.update_or_create(
                code=region_code, defaults={"name": row["region"]}
            )
        district_code = row["politikredskode"]
        if district_code not in districts:
            districts[district_code], _ = Organisation.objects.update_or_create(
                code=district_code, defaults={"kind": OrgKind.POLICE_DISTRICT, "name": row["politikreds"]}
            )
    for row in rows:
        municipality, _ = Organisation.objects.update_or_create(
            code=row["kommunekode"],
            defaults={
                "kind": OrgKind.MUNICIPALITY,
                "name": municipality_name(row["kommune"]),
                "region": regions[row["regionskode"]],
                "police_district": districts[row["politikredskode"]],
            },
        )
        ensure_municipal_departments(municipality)
    return len(rows)


@transaction.atomic
def load_other_organisations() -> int:
    count = 0
    for row in _rows("krfo_units.tsv"):
        Organisation.objects.get_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "name": row["name"],
                "institution_type": row.get("institution_type") or "",
                "address": row.get("address") or "",
            },
        )
        count += 1
    for row in _rows("other_authorities.tsv"):
        Organisation.objects.get_or_create(
            code=row["code"], defaults={"kind": row["kind"], "name": row["name"], "address": row.get("address") or ""}
        )
        count += 1
    return count
