"""The shape of the code (docs/architecture.md): which parts may import which. Read from the source with ast,
so a forbidden import fails here before it grows. Tests, migrations and management commands of the demo are
code too, but tests may reach anywhere, so they are left out.

- The ground floor (core, organisations, people, legal, audit) imports nothing above it.
- Notifications never import custody (a notice has a subject, not an episode).
- Delivery knows notices only (never custody).
- Custody's services never import the API or other apps' views.
- The process apps (custody, consent, action_plans, pre_sentence) never import the API, the public pages, the
  documents or the demo; notices and delivery never import a process app.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "samarbejde"
GROUND = ("core", "organisations", "people", "legal", "audit")
PROCESSES = ("custody", "consent", "action_plans", "pre_sentence")
ABOVE_GROUND = (*PROCESSES, "notifications", "delivery", "api", "public", "accounts", "documents", "demo")


def imports_of(app: str) -> dict[str, set[str]]:
    """{file: {imported samarbejde app}} for the app's own (non-test) modules."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("samarbejde."):
                names.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("samarbejde.")}
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(app: str, forbidden) -> list[str]:
    return sorted(
        f"{path} imports {', '.join(sorted(names & set(forbidden)))}"
        for path, names in imports_of(app).items()
        if names & set(forbidden)
    )


@pytest.mark.parametrize("app", GROUND)
def test_the_ground_floor_imports_nothing_above_it(app):
    assert offenders(app, ABOVE_GROUND) == []


def test_notifications_never_import_custody():
    assert offenders("notifications", PROCESSES) == []


def test_delivery_knows_notices_only():
    assert offenders("delivery", [*PROCESSES, "api", "public", "documents", "demo"]) == []


@pytest.mark.parametrize("app", PROCESSES)
def test_process_apps_import_neither_the_api_nor_the_pages_of_the_edges(app):
    assert offenders(app, ["api", "public", "documents", "demo"]) == []


def test_custody_imports_neither_the_api_nor_other_apps_pages():
    assert offenders("custody", ["api", "public", "documents", "demo"]) == []
    services = imports_of("custody")["custody/services.py"]
    assert not services & {"api", "public"}
