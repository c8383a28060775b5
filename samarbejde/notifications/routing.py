"""Routing: which unit of the recipient organisation receives each notice.

The rules name a topic (and the subject, e.g. the benefit); the recipient municipality's routing table in the
directory (organisations.NoticeRoute) names the unit. The most specific line wins: topic and subject, then the
topic alone; with no line, the default routing of the rules (rules.default_unit_kind) names a unit kind and
the organisation's unit of that kind receives it (or the organisation as a whole, when it has none). Each
routed recipient says which line chose its unit (`route`, `route_label`), which the notice keeps.

Reads only: two queries for all the recipients of one event, whatever their number.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace

from samarbejde.notifications import rules
from samarbejde.organisations.routing import route_condition_label
from samarbejde.organisations.selectors import departments_of, notice_routes_of

LABEL_EARLIER_UNIT = "Samme enhed som de tidligere underretninger i sagen"
LABEL_NO_UNITS = "Organisationen som helhed (ingen fordeling på enheder)"


def _route_label(route) -> str:
    return f"{route.organisation.display_name}s fordeling: {route_condition_label(route.topic, route.subject)}"


def route(recipients: Sequence[rules.Recipient], organisations: Mapping[str, object]) -> list[rules.Recipient]:
    """The recipients with `unit`, `route` and `route_label` set. `organisations` maps codes to Organisation."""
    targets = [organisations[r.organisation_code] for r in recipients if r.organisation_code in organisations]
    routes = notice_routes_of(targets)  # {(organisation id, topic, subject): NoticeRoute}
    departments = departments_of(targets)  # {(organisation id, kind): Department}
    by_id = {d.pk: d for d in departments.values()}
    routed = []
    for recipient in recipients:
        organisation = organisations.get(recipient.organisation_code)
        if organisation is None:
            routed.append(recipient)
            continue
        if recipient.routed or recipient.unit is not None:
            routed.append(
                replace(
                    recipient,
                    route_label=recipient.route_label or LABEL_EARLIER_UNIT,
                    routed=True,
                    department=by_id.get(recipient.unit),
                )
            )
            continue
        if not recipient.topic:
            routed.append(replace(recipient, route_label=LABEL_NO_UNITS, routed=True))
            continue
        subject = recipient.subjects[0] if recipient.subjects else ""
        line = routes.get((organisation.pk, recipient.topic, subject)) or routes.get(
            (organisation.pk, recipient.topic, "")
        )
        if line is not None:
            routed.append(
                replace(
                    recipient,
                    unit=line.department_id,
                    route=line.pk,
                    route_label=_route_label(line),
                    routed=True,
                    department=line.department,
                )
            )
            continue
        kind = rules.default_unit_kind(recipient.topic, recipient.subjects)
        department = departments.get((organisation.pk, kind)) if kind else None
        if department is None:
            routed.append(replace(recipient, route_label=LABEL_NO_UNITS, routed=True))
            continue
        label = f"Standardfordeling: {route_condition_label(recipient.topic, subject)} → {department.name}"
        routed.append(replace(recipient, unit=department.pk, route_label=label, routed=True, department=department))
    return routed
