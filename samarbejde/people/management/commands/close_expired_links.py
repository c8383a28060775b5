"""Close the live links whose time is up, now, and say how many per rule (the periodic task does the same)."""

from django.core.management.base import BaseCommand

from samarbejde.people import link_rules
from samarbejde.people.services import person_links_close_all_expired


class Command(BaseCommand):
    help = "Luk de adgange (aktive henvendelser), hvis tid er udløbet, og vis hvor mange pr. regel."

    def handle(self, *args, **options):
        total = person_links_close_all_expired()
        if not total:
            self.stdout.write("Ingen adgange var udløbet.")
            return
        for rule_id, count in sorted(total.items()):
            rule = link_rules.BY_ID.get(rule_id)
            self.stdout.write(f"{count:>6}  {rule_id}: {rule.summary if rule else ''}")
        self.stdout.write(f"{sum(total.values()):>6}  i alt lukket.")
