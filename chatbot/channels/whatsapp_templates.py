"""An outbox row's template as the Graph API's `type: template` message with its parameters."""

from __future__ import annotations

from typing import Any

from chatbot.core.outbox_messages import Template


def template_content(template: Template, lang: str) -> dict[str, Any]:
    """The `template` part of a `/messages` body.

    `template` is the row's template call, or a bare name (rows written before templates had
    parameters).
    """
    if isinstance(template, str):
        return {"type": "template", "template": {"name": template, "language": {"code": lang}}}
    body: dict[str, Any] = {
        "name": str(template.name),
        "language": {"code": str(template.language or lang)},
    }
    components: list[dict[str, Any]] = []
    values = [str(v) for v in template.body or ()]
    if values:
        parameters = [{"type": "text", "text": v} for v in values]
        components.append({"type": "body", "parameters": parameters})
    button = template.button_url
    if button:
        # The dynamic suffix of the template's first URL button (index 0).
        components.append(
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": str(button)}],
            }
        )
    if components:
        body["components"] = components
    return {"type": "template", "template": body}
