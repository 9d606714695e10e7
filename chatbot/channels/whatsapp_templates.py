"""An outbox row's template as the Graph API's `type: template` message with its parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def template_content(template: object, lang: str) -> dict[str, Any]:
    """The `template` part of a `/messages` body.

    `template` is the row's `{"name", "language", "body", "button_url"}`, or a bare name
    (rows written before templates had parameters).
    """
    if not isinstance(template, Mapping):
        return {"type": "template", "template": {"name": str(template), "language": {"code": lang}}}
    body: dict[str, Any] = {
        "name": str(template["name"]),
        "language": {"code": str(template.get("language") or lang)},
    }
    components: list[dict[str, Any]] = []
    values = [str(v) for v in template.get("body") or ()]
    if values:
        parameters = [{"type": "text", "text": v} for v in values]
        components.append({"type": "body", "parameters": parameters})
    button = template.get("button_url")
    if button:
        # The dynamic suffix of the template's first URL button (index 0).
        components.append({"type": "button", "sub_type": "url", "index": "0",
                           "parameters": [{"type": "text", "text": str(button)}]})  # fmt: skip
    if components:
        body["components"] = components
    return {"type": "template", "template": body}
