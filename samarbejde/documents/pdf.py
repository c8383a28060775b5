"""The inmate forms as PDFs (WeasyPrint). Inline CSS; nothing is fetched over the network."""

from django.utils import timezone

from samarbejde.core.pdf import render_pdf
from samarbejde.documents.models import FormKind, InmateForm
from samarbejde.people.fields import FieldView

INTRO = {
    FormKind.DIGITAL_POST_EXEMPTION: (
        "Jeg søger om fritagelse for at modtage Digital Post fra offentlige afsendere, fordi jeg er "
        "varetægtsfængslet eller afsoner og ikke har adgang til min digitale postkasse. Post fra det "
        "offentlige sendes i stedet som brev til mig på den institution, hvor jeg er indsat."
    ),
    FormKind.RELATIVE_READ_ACCESS: (
        "Jeg giver den pårørende nævnt nedenfor adgang til at læse min Digital Post, mens jeg er "
        "indsat. Adgangen kan til enhver tid tilbagekaldes."
    ),
}


def render_inmate_form(form: InmateForm, *, fields: FieldView) -> bytes:
    """`fields`: the printing user's field policy (people.fields, Context.KRFO_CASE)."""
    institution = form.episode.institution if form.episode_id else form.prepared_by_organisation
    return render_pdf(
        "documents/inmate_form_pdf.html",
        {
            "form": form,
            "person": form.person,
            "cpr": fields.cpr(form.person),
            "relative_cpr": fields.cpr_value(form.relative_cpr, formatted=True) if form.relative_cpr else "",
            "institution": institution,
            "intro": INTRO[form.kind],
            "printed_at": timezone.localtime(),
        },
    )


def render_demo_public_document(document) -> bytes:
    """A one-page PDF for a public document in the demo, marked "Demodokument" on the page and in its title."""
    return render_pdf("documents/public_demo_pdf.html", {"document": document})
