from django.apps import AppConfig


class PreSentenceConfig(AppConfig):
    name = "samarbejde.pre_sentence"
    verbose_name = "Personundersøgelser (§ 808)"

    def ready(self):
        # An answer to a request of a closed investigation is refused by the notifications app's answer check
        # (inbox, service and API alike); notifications never imports this app.
        from samarbejde.notifications.answers import register_answer_guard
        from samarbejde.notifications.registry import PRE_SENTENCE_RULE
        from samarbejde.pre_sentence.services import answer_refusal

        register_answer_guard(PRE_SENTENCE_RULE, answer_refusal)

        from samarbejde.core.startpage import register_section
        from samarbejde.pre_sentence.startpage import kif_sections

        register_section("pre_sentence.kif", kif_sections, order=40)
