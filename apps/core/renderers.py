"""JSON rendering where a Decimal is always a string: money never passes through a float."""

from decimal import Decimal
from typing import Any

from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder


class JSONEncoder(DRFJSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return str(obj)
        return super().default(obj)


class JSONRenderer(DRFJSONRenderer):
    encoder_class = JSONEncoder


class CSVRenderer(BaseRenderer):
    """For views that answer CSV they wrote themselves (the body is passed through)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class ErrorsAsJSONMixin:
    """A view answering CSV gives its errors in the error format (JSON), whatever the
    client accepted."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        accepted = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and (accepted is None or isinstance(accepted, CSVRenderer)):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
