import django_filters

from apps.core.filters import IdFilter
from apps.payments.models import Payment, PaymentChannel, PaymentStatus


class PaymentFilter(django_filters.FilterSet):
    invoice = IdFilter(field_name="invoice_id")
    method = django_filters.ChoiceFilter(choices=PaymentChannel.choices)
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)

    class Meta:
        model = Payment
        fields = ["method", "status"]
