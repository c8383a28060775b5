from django.db.models import Prefetch, QuerySet

from samarbejde.legal.models import Act, Paragraph


def acts_with_paragraphs() -> QuerySet[Act]:
    return Act.objects.prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.order_by("sort_order")))


def paragraph_by_citation(short_name: str, reference: str = "") -> Paragraph:
    """The catalogue entry a rule cites, e.g. ('Retsplejeloven', '§ 808'); raises if missing."""
    return Paragraph.objects.select_related("act").get(act__short_name=short_name, reference=reference)
