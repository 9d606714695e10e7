"""Hand-written Telegram updates in the shape the Bot API sends today."""

from __future__ import annotations

from typing import Any

CUSTOMER_ID = 777001


def user(user_id: int = CUSTOMER_ID, lang: str | None = "ru", **extra: Any) -> dict[str, Any]:
    """A Telegram user (the customer unless told otherwise)."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Анна", **extra}
    if lang is not None:
        data["language_code"] = lang
    return data


def chat(chat_id: int = CUSTOMER_ID, kind: str = "private") -> dict[str, Any]:
    """A chat; private chats have the user's id."""
    return {"id": chat_id, "type": kind, "first_name": "Анна"}


def message(
    update_id: int = 1,
    message_id: int = 10,
    sender: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A `message` update with the given content (text=..., photo=[...], ...)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1767225600,
            "from": sender or user(),
            "chat": where or chat(),
            **content,
        },
    }


def text(body: str, update_id: int = 1, message_id: int = 10, **kw: Any) -> dict[str, Any]:
    """A text message update."""
    return message(update_id, message_id, text=body, **kw)


def callback(
    data: str | None,
    update_id: int = 2,
    query_id: str = "cq-1",
    where: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pressed inline button under a bot message."""
    shop = {"id": 123456, "is_bot": True, "first_name": "Shop"}
    bot_message = {
        "message_id": 11,
        "date": 1767225600,
        "chat": where or chat(),
        "from": shop,
        "text": "Menu",
    }
    query: dict[str, Any] = {
        "id": query_id,
        "from": user(),
        "chat_instance": "ci-1",
        "message": bot_message,
    }
    if data is not None:
        query["data"] = data
    return {"update_id": update_id, "callback_query": query}


def member(old: str, new: str, update_id: int = 3, kind: str = "private") -> dict[str, Any]:
    """The customer changed the bot's membership in their chat (blocked: new = kicked)."""
    bot = {"id": 123456, "is_bot": True, "first_name": "Shop"}
    old_member, new_member = (
        {"user": bot, "status": status} | _banned(status) for status in (old, new)
    )
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": chat(kind=kind),
            "from": user(),
            "date": 1767225600,
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        },
    }


def _banned(status: str) -> dict[str, Any]:
    return {"until_date": 0} if status == "kicked" else {}


PHOTO = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]


GROUP_ID = -1001234567890
MANAGER_ID = 501


def manager(
    user_id: int = MANAGER_ID, username: str | None = "olga", name: str = "Ольга"
) -> dict[str, Any]:
    """A person in the managers' group."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if username is not None:
        data["username"] = username
    return data


def group(chat_id: int = GROUP_ID) -> dict[str, Any]:
    """The managers' supergroup."""
    return {"id": chat_id, "type": "supergroup", "title": "Менеджеры"}


def group_text(
    body: str,
    update_id: int,
    message_id: int,
    sender: dict[str, Any] | None = None,
    reply_to: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A message in the managers' group, maybe a reply to one of the bot's messages."""
    content: dict[str, Any] = {"text": body}
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return message(update_id, message_id, sender or manager(), where or group(), **content)


def group_photo(
    caption: str | None, update_id: int, message_id: int, reply_to: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A manager's photo (with a caption, or none) in the managers' group."""
    content: dict[str, Any] = {
        "photo": [{"file_id": "AgAD-photo", "file_unique_id": "u1", "width": 800, "height": 600}]
    }
    if caption is not None:
        content["caption"] = caption
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return message(update_id, message_id, manager(), group(), **content)


def press(
    data: str,
    on: dict[str, Any],
    update_id: int,
    query_id: str,
    sender: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button pressed under `on`, a message the bot sent (as the fake Bot API keeps it)."""
    query = {
        "id": query_id,
        "from": sender or manager(),
        "chat_instance": "ci-g",
        "message": on,
        "data": data,
    }
    return {"update_id": update_id, "callback_query": query}
