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

        from samarbejde.core.periodic import register_periodic
        from samarbejde.core.startpage import register_section
        from samarbejde.notifications.startpage import inbox_sections, krfo_sections

        # Mark overdue notices, remind before the due date, escalate after it.
        register_periodic(
            "samarbejde.notifications.tasks.notifications_deadline_sweep",
            every_seconds=900,
            setting="NOTIFICATION_SWEEP_SECONDS",
        )
        # Files of answers whose transaction rolled back after the upload.
        register_periodic("samarbejde.notifications.tasks.attachments_cleanup", every_seconds=3600)
        register_section("notifications.inbox", inbox_sections, order=10)
        register_section("notifications.krfo", krfo_sections, order=30)
