from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "samarbejde.notifications"
    verbose_name = "Underretninger"

    def ready(self):
        # The directory's routing table offers the topics the rules name (organisations cannot import us).
        from samarbejde.notifications.registry import ROUTING_TOPICS
        from samarbejde.organisations.routing import RoutingTopic, register_topic

        for value, label, subjects, help_text in ROUTING_TOPICS:
            register_topic(RoutingTopic(value, label, subjects, help_text))
