"""Running seeding steps: each once, in its own transaction, recorded with what it made."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from apps.core.errors import ApplicationError
from apps.demo.models import SeedStep

COMPANY = "company"

# What each recorded step made, by step key (None: recorded without an id).
StepIds = dict[str, int | None]


class SeedingRefused(Exception):
    """The data as it stands does not allow a step; reported, never raised to the caller."""


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    what: str  # how the report names it: "record the client client2@abuja-homes.demo"
    make: Callable[[StepIds], int | None]
    needs: tuple[str, ...] = ()


@dataclass
class SeedOutcome:
    """What one run did for one demo company (or for our billing staff)."""

    key: str
    label: str
    company_id: int | None = None
    done_before: int = 0
    done_now: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.done_now == 0:
            if self.done_before == 0:
                return "not created"
            return "seeded before; left as it is"
        if self.done_before == 0:
            return "seeded"
        return f"completed ({self.done_now} missing steps done)"


def run_steps(key: str, label: str, steps: list[Step]) -> SeedOutcome:
    """Do each of ``steps`` not recorded under ``key`` yet, in order; report, never raise,
    what the data does not allow."""
    ids: StepIds = dict(SeedStep.objects.filter(demo=key).values_list("step", "object_id"))
    outcome = SeedOutcome(key, label, done_before=sum(step.key in ids for step in steps))
    for step in steps:
        if step.key in ids:
            continue
        missing = [need for need in step.needs if ids.get(need) is None]
        if COMPANY in missing:
            outcome.problems.append("nothing else can be seeded without the company")
            break
        if missing:
            outcome.problems.append(f"skipped: {step.what} (needs {', '.join(missing)})")
            continue
        try:
            with transaction.atomic():
                object_id = step.make(ids)
                SeedStep.objects.create(demo=key, step=step.key, object_id=object_id)
        except (ApplicationError, SeedingRefused, DatabaseError) as exc:
            outcome.problems.append(f"could not {step.what}: {_reason(exc)}")
            continue
        ids[step.key] = object_id
        outcome.done_now += 1
    outcome.company_id = ids.get(COMPANY)
    return outcome


def _reason(exc: Exception) -> str:
    if not isinstance(exc, ApplicationError):
        return str(exc) or type(exc).__name__
    details = exc.details if isinstance(exc.details, dict) else {}
    specifics = [
        f"{name}: {message}"
        for name, messages in details.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]
    return f"{exc.message} ({'; '.join(specifics)})" if specifics else exc.message


def need_id(ids: StepIds, key: str) -> int:
    """The id the step ``key`` made, for a step that needs it."""
    object_id = ids.get(key)
    if object_id is None:
        raise SeedingRefused(f"{key} was not made")
    return object_id
