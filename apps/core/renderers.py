"""JSON rendering where a Decimal is always a string: money never passes through a float."""

from decimal import Decimal
from typing import Any

from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder


class JSONEncoder(DRFJSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return str(obj)
        return super().default(obj)


class JSONRenderer(DRFJSONRenderer):
    encoder_class = JSONEncoder
