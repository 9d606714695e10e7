"""Who may act as a manager, asked of the fake Bot API through a real aiogram Bot."""

from __future__ import annotations

from aiogram import Bot

from chatbot.managers.auth import MEMBER_TTL, ManagerAuth
from tests.channels import updates as u
from tests.channels.fake_bot_api import Failure, FakeBotApi


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_ids_from_settings_need_no_question(api: FakeBotApi, bot: Bot) -> None:
    auth = ManagerAuth(bot, u.GROUP_ID, [42])
    assert await auth.allows(42)
    assert api.called("getChatMember") == []
    assert not await ManagerAuth(bot, None, [42]).allows(u.MANAGER_ID)  # no group: ids only


async def test_group_members_are_asked_once_a_while(api: FakeBotApi, bot: Bot) -> None:
    ticks = Ticks()
    auth = ManagerAuth(bot, u.GROUP_ID, clock=ticks)
    assert await auth.allows(u.MANAGER_ID)
    assert await auth.allows(u.MANAGER_ID)
    [asked] = api.called("getChatMember")
    assert (int(asked["chat_id"]), int(asked["user_id"])) == (u.GROUP_ID, u.MANAGER_ID)
    api.member(u.MANAGER_ID, "left")  # she left the group
    ticks.now += MEMBER_TTL + 1
    assert not await auth.allows(u.MANAGER_ID)
    assert len(api.called("getChatMember")) == 2


async def test_strangers_and_the_banned_are_refused(api: FakeBotApi, bot: Bot) -> None:
    api.member(7, "kicked")
    api.member(8, "creator")
    auth = ManagerAuth(bot, u.GROUP_ID)
    assert not await auth.allows(666)
    assert not await auth.allows(7)
    assert await auth.allows(8)


async def test_a_failed_check_refuses(api: FakeBotApi, bot: Bot) -> None:
    api.fail("getChatMember", Failure(400, "Bad Request: PARTICIPANT_ID_INVALID"))
    assert not await ManagerAuth(bot, u.GROUP_ID).allows(u.MANAGER_ID)
