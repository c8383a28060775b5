from django.db.models import Prefetch, QuerySet

from samarbejde.legal.models import Act, Paragraph


def acts_with_paragraphs() -> QuerySet[Act]:
    return Act.objects.prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.order_by("sort_order")))


def paragraph_by_key(key: str) -> Paragraph:
    """The catalogue entry a rule cites by its stable key, e.g. "retsplejeloven:808"; raises if missing."""
    return Paragraph.objects.select_related("act").get(key=key)


def paragraphs_by_key(keys) -> dict[str, Paragraph]:
    """The catalogue entries for several keys in one query (missing keys are absent from the result)."""
    return {p.key: p for p in Paragraph.objects.select_related("act").filter(key__in=set(keys))}
