"""Phone numbers in E.164: the normalizer, the service helper and the serializer field."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.core.errors import ValidationFailed
from apps.core.phones import (
    INVALID_PHONE_MESSAGE,
    PhoneNumberField,
    normalize_phone,
    phone_clean,
    phone_clean_data,
)

VALID = [
    # as typed -> as stored
    ("0803 123 4567", "+2348031234567"),
    ("08031234567", "+2348031234567"),
    ("0803-123-4567", "+2348031234567"),
    ("(0803) 123 4567", "+2348031234567"),
    ("  0803 123 4567  ", "+2348031234567"),
    ("+2348031234567", "+2348031234567"),
    ("+234 803 123 4567", "+2348031234567"),
    ("+234 (0) 803 123 4567", "+2348031234567"),
    ("2348031234567", "+2348031234567"),
    ("0701 234 5678", "+2347012345678"),
    ("0812 345 6789", "+2348123456789"),
    ("0909 123 4567", "+2349091234567"),
    ("0201 234 5678", "+2342012345678"),  # a Lagos landline
    ("+44 20 7946 0958", "+442079460958"),  # any country, given its code
    ("+1 415 555 2671", "+14155552671"),
    ("", ""),
    ("   ", ""),
]

INVALID = [
    "0803",  # too short
    "0803123456",  # one digit short
    "080312345678",  # one digit long
    "01 234 5678",
    "+234",
    "abc",
    "0803 123 4567 ext 5",  # the extension would be lost
    "00234 803 123 4567",
    "+999 803 123 4567",  # no such country code
    "0" * 33,  # longer than anyone types a number
]


@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_valid_numbers_become_e164(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", INVALID)
def test_invalid_numbers_are_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(typed)

    assert refused.value.code == "invalid_phone"
    assert refused.value.messages == [INVALID_PHONE_MESSAGE]


def test_e164_is_kept_as_it_is():
    assert normalize_phone(normalize_phone("0803 123 4567")) == "+2348031234567"


def test_another_default_region_reads_local_numbers_there():
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


def test_phone_clean_names_the_field_in_the_api_error():
    assert phone_clean("0803 123 4567") == "+2348031234567"
    with pytest.raises(ValidationFailed) as refused:
        phone_clean("0803", field="billing_phone")

    assert refused.value.details == {"billing_phone": [INVALID_PHONE_MESSAGE]}


def test_phone_clean_data_normalizes_only_a_phone_that_is_there():
    assert phone_clean_data({"phone": "0803 123 4567", "address": "Ikoyi"}) == {
        "phone": "+2348031234567",
        "address": "Ikoyi",
    }
    assert phone_clean_data({"address": "Ikoyi"}) == {"address": "Ikoyi"}
    with pytest.raises(ValidationFailed):
        phone_clean_data({"phone": "12"})


class Contact(serializers.Serializer):
    phone = PhoneNumberField(required=False, default="")


@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_the_field_normalizes_input(typed, stored):
    contact = Contact(data={"phone": typed})

    assert contact.is_valid(), contact.errors
    assert contact.validated_data["phone"] == stored


@pytest.mark.parametrize("typed", INVALID)
def test_the_field_refuses_invalid_numbers(typed):
    contact = Contact(data={"phone": typed})

    assert not contact.is_valid()
    [error] = contact.errors["phone"]
    assert (error, error.code) == (INVALID_PHONE_MESSAGE, "invalid_phone")


def test_the_field_refuses_non_text_and_defaults_to_blank():
    assert not Contact(data={"phone": ["0803 123 4567"]}).is_valid()
    omitted = Contact(data={})
    assert omitted.is_valid()
    assert omitted.validated_data["phone"] == ""
