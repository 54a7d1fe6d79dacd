from typing import Any

from django.apps import AppConfig

# Tasks whose writes are Stripe's doing (they process its webhook events).
STRIPE_TASKS = frozenset({"payments.process_gateway_event", "payments.process_stalled_events"})


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from apps.audit import receivers  # noqa: F401 (connects them)
        from apps.audit.tracking import register_tracked_models

        register_tracked_models()
        task_prerun.connect(_task_started, weak=False, dispatch_uid="audit-task-started")
        task_postrun.connect(_task_ended, weak=False, dispatch_uid="audit-task-ended")


_task_contexts: dict[str, Any] = {}


def _task_started(task_id: str, task: Any, **kwargs: Any) -> None:
    from apps.audit.context import acting_in_background
    from apps.audit.models import ActorKind

    kind = ActorKind.STRIPE if task.name in STRIPE_TASKS else ActorKind.SYSTEM
    context = acting_in_background(kind)
    context.__enter__()
    _task_contexts[task_id] = context


def _task_ended(task_id: str, **kwargs: Any) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
