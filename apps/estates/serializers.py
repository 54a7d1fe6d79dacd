from decimal import Decimal

from rest_framework import serializers

from apps.core.phones import PhoneNumberField
from apps.core.serializers import (
    StrictModelSerializer,
    StrictSerializer,
    WritableChoicesField,
)
from apps.estates.models import Client, Estate, Plot, PlotPurchase, PlotStatus

# Limits that catch typing errors (an extra zero or three), not real prices.
PRICE_MIN = Decimal("0.01")
PRICE_MAX = Decimal("100000000000.00")  # ₦100 billion
SIZE_MIN = Decimal("0.01")
SIZE_MAX = Decimal("10000000.00")  # 1,000 hectares


def money_field(**kwargs: object) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=PRICE_MIN, max_value=PRICE_MAX, **kwargs
    )


class TenantPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to one of the request company's own rows; any other id is 'does not exist'."""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        tenant = self.context["request"].tenant
        return super().get_queryset().filter(company_id=tenant.company_id)


class EstateSerializer(StrictModelSerializer):
    plot_count = serializers.IntegerField(read_only=True)
    available_plot_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Estate
        fields = [
            "id",
            "name",
            "location",
            "state",
            "lga",
            "description",
            "is_active",
            "plot_count",
            "available_plot_count",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class PlotSerializer(StrictModelSerializer):
    estate = TenantPrimaryKeyField(queryset=Estate.objects.all())
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    size_sqm = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=SIZE_MIN, max_value=SIZE_MAX
    )
    price = money_field()
    status = WritableChoicesField(
        choices=PlotStatus.values,
        writable=[PlotStatus.AVAILABLE, PlotStatus.RESERVED],
        required=False,
        help_text="Hold (reserved) or release (available) a plot; sold comes from a sale.",
    )

    class Meta:
        model = Plot
        fields = [
            "id",
            "estate",
            "estate_name",
            "plot_number",
            "size_sqm",
            "price",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ClientSerializer(StrictModelSerializer):
    phone = PhoneNumberField(required=False)
    status = serializers.SerializerMethodField(
        help_text="invited: the person has not accepted the invitation yet; joined: they have."
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "address",
            "status",
            "joined_at",
            "created_at",
        ]
        read_only_fields = ["id", "email", "status", "joined_at", "created_at"]

    def get_status(self, client: Client) -> str:
        return "joined" if client.user_id is not None else "invited"


class ClientCreateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = PhoneNumberField(required=False, default="")
    address = serializers.CharField(max_length=500, required=False, default="")


class InvitationAcceptSerializer(StrictSerializer):
    token = serializers.CharField(max_length=128)


class InvitationSignupSerializer(StrictSerializer):
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=256, trim_whitespace=False, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = PhoneNumberField(required=False, default="")


class InvitationJoinedSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    role = serializers.CharField()


class InvitationSignupResponseSerializer(InvitationJoinedSerializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class PurchaseSerializer(serializers.ModelSerializer):
    plot_number = serializers.CharField(source="plot.plot_number", read_only=True)
    estate_id = serializers.IntegerField(source="plot.estate_id", read_only=True)
    estate_name = serializers.CharField(source="plot.estate.name", read_only=True)
    client_email = serializers.EmailField(source="client.email", read_only=True)

    class Meta:
        model = PlotPurchase
        fields = [
            "id",
            "plot",
            "plot_number",
            "estate_id",
            "estate_name",
            "client",
            "client_email",
            "affiliation",
            "agreed_price",
            "status",
            "purchased_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class PurchaseCreateSerializer(StrictSerializer):
    plot = TenantPrimaryKeyField(queryset=Plot.objects.all())
    client = TenantPrimaryKeyField(queryset=Client.objects.all())
    affiliation = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    agreed_price = money_field(required=False, help_text="Defaults to the plot's price.")
    complete = serializers.BooleanField(
        default=True, help_text="False records a pending purchase that reserves the plot."
    )


class PurchaseCancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
