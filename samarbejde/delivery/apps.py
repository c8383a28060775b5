from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "samarbejde.delivery"
    verbose_name = "Levering"

    def ready(self):
        from samarbejde.core.periodic import register_periodic
        from samarbejde.core.startpage import register_section
        from samarbejde.delivery.startpage import delivery_section

        # The outbox sweeper: due, failed and stuck deliveries (issue 4, delivery).
        register_periodic(
            "samarbejde.delivery.tasks.deliveries_sweep", every_seconds=60, setting="DELIVERY_SWEEP_SECONDS"
        )
        register_section("delivery", delivery_section, order=60)
