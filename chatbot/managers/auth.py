"""Who may act as a manager: ids from settings, or members of the managers' group."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Final

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

log = logging.getLogger(__name__)
MEMBER_STATUSES: Final = frozenset({"creator", "administrator", "member"})
MEMBER_TTL: Final = 300.0
STRANGER_TTL: Final = 60.0  # shorter: someone just added to the group should not wait long


class ManagerAuth:
    """Answers "is this Telegram user a manager?", asking getChatMember at most once a while."""

    def __init__(
        self,
        bot: Bot,
        group_id: int | None,
        manager_ids: Iterable[int] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.group_id = group_id
        self.manager_ids = frozenset(manager_ids)
        self.clock = clock
        self._known: dict[int, tuple[bool, float]] = {}

    async def allows(self, user_id: int) -> bool:
        """True for ids in MANAGER_IDS and for current members of the managers' group."""
        if user_id in self.manager_ids:
            return True
        if self.group_id is None:
            return False
        now = self.clock()
        cached = self._known.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        member = await self._is_member(self.group_id, user_id)
        self._known[user_id] = (member, now + (MEMBER_TTL if member else STRANGER_TTL))
        return member

    async def _is_member(self, group_id: int, user_id: int) -> bool:
        try:
            found = await self.bot.get_chat_member(chat_id=group_id, user_id=user_id)
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            # "user not found", "chat not found", the bot was removed: not a member we can see.
            log.warning("managers.member_check_failed", extra={"error": type(exc).__name__})
            return False
        if found.status in MEMBER_STATUSES:
            return True
        # A restricted user may still be in the group (and may act); one who left may not.
        return found.status == "restricted" and bool(getattr(found, "is_member", False))
