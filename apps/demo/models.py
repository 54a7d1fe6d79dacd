"""What seeding the demo data has done, so that each step is done once."""

from django.db import models


class SeedStep(models.Model):
    """One step of seeding the demo data (a company, a client, an estate with its plots,
    a sale), recorded in the transaction that did it.

    A recorded step is never done again: what a person changed afterwards (a renamed
    estate, a suspended marketer, a deleted client) stays as they left it.
    """

    demo = models.CharField(max_length=64, help_text="The demo company's key, e.g. lekki-gardens.")
    step = models.CharField(max_length=200, help_text="e.g. estate:Guzape Hills")
    object_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="What the step made: a company, user, client, affiliation, estate or purchase.",
    )
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["demo", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demo", "step"], name="demo_seed_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.demo}: {self.step}"
