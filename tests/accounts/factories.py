import factory
from django.utils import timezone

from apps.accounts.models import User

PASSWORD = "Correct-Horse-Battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.ng")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    # Verified, as most accounts in use are; UnverifiedUserFactory for the others.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class UnverifiedUserFactory(UserFactory):
    email_verified_at = None
