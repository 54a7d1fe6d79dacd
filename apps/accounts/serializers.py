from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.core.phones import PhoneNumberField
from apps.core.serializers import StrictModelSerializer, StrictSerializer

User = get_user_model()


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2048)


class LogoutSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordChangeSerializer(StrictSerializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


# companies has a MembershipSerializer too (a company's members); two schema components
# with one name make drf-spectacular produce a wrong schema.
@extend_schema_serializer(component_name="UserMembership")
class MembershipSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField()
    role = serializers.CharField()
    subscription_tier = serializers.CharField()
    subscription_status = serializers.CharField()
    is_active = serializers.BooleanField(help_text="False while the membership is suspended.")


class MeSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_company_id = serializers.IntegerField(allow_null=True, read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "email_verified",
            "date_joined",
            "last_login",
            "roles",
            "current_company_id",
            "memberships",
        ]
        read_only_fields = ["id", "email", "date_joined", "last_login"]


class MeUpdateSerializer(StrictModelSerializer):
    phone = PhoneNumberField(required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]


class PasswordResetSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class EmailVerifySerializer(StrictSerializer):
    token = serializers.CharField(max_length=512)
