from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.audit.models import ActorKind, AuditAction, AuditEntry


class AuditActorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    user_id = serializers.IntegerField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    api_key_id = serializers.IntegerField(allow_null=True)


def model_label(entry: AuditEntry) -> str | None:
    content_type = entry.content_type
    return f"{content_type.app_label}.{content_type.model}" if content_type else None


class AuditEntrySerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(
        choices=[label for _, label in AuditAction.choices], source="get_action_display"
    )
    actor = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    object_id = serializers.CharField(source="object_pk")
    changes = serializers.SerializerMethodField()
    data = serializers.JSONField(source="additional_data", allow_null=True)
    ip = serializers.IPAddressField(source="remote_addr", allow_null=True)
    request_id = serializers.CharField(source="cid", allow_null=True)
    hash = serializers.CharField(source="entry_hash")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "action",
            "actor",
            "model",
            "object_id",
            "object_repr",
            "changes",
            "data",
            "ip",
            "user_agent",
            "request_id",
            "seq",
            "hash",
        ]
        read_only_fields = fields

    @extend_schema_field(AuditActorSerializer)
    def get_actor(self, entry: AuditEntry) -> dict[str, Any]:
        data = entry.additional_data or {}
        return {
            "kind": entry.actor_kind,
            "user_id": entry.actor_id,
            "email": entry.actor_email,
            "api_key_id": data.get("api_key_id") if isinstance(data, dict) else None,
        }

    @extend_schema_field({"type": "string", "nullable": True, "example": "estates.plot"})
    def get_model(self, entry: AuditEntry) -> str | None:
        return model_label(entry)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "Field name -> [before, after]; masked values read [masked].",
            "additionalProperties": {"type": "array", "items": {}},
        }
    )
    def get_changes(self, entry: AuditEntry) -> dict[str, Any] | None:
        return entry.changes
