"""`{{ person|cpr_for:fields }}`: a person's CPR number as the field policy (people.fields) shows it."""

from django import template

from samarbejde.people.fields import FieldView

register = template.Library()


@register.filter
def cpr_for(person, fields: FieldView) -> str:
    if person is None or not isinstance(fields, FieldView):
        return ""  # no policy given: show nothing rather than the full number
    return fields.cpr(person)
