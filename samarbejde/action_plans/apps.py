from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "samarbejde.action_plans"
    verbose_name = "Handleplaner"

    def ready(self):
        from samarbejde.action_plans.models import ActionStatus, ResponsibleKind
        from samarbejde.core.periodic import register_periodic
        from samarbejde.notifications.registry import register_choices

        register_choices("action_status", ActionStatus.choices)
        register_choices("responsible_kind", ResponsibleKind.choices)
        # Reminders before and escalations after the plan's deadline (rules.deadline_step).
        register_periodic(
            "samarbejde.action_plans.tasks.action_plans_deadline_sweep",
            every_seconds=3600,
            setting="ACTION_PLAN_SWEEP_SECONDS",
            purpose="Påmindelser og rykkere om handleplanens frist",
        )
