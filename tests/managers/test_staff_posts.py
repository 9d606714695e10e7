"""The managers' chats read their texts from the admin files in use, so a reload reaches them."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from chatbot.engine.manager_wording import EN, RU
from chatbot.managers.staff_posts import StaffChats

MSK = ZoneInfo("Europe/Moscow")


def test_fixed_texts_stay() -> None:
    assert StaffChats(1, None, RU, MSK).words is RU


def test_texts_from_a_source_follow_it() -> None:
    current = [RU]
    chats = StaffChats(1, None, lambda: current[0], MSK)
    assert chats.words is RU
    current[0] = replace(EN, take="Mine")
    assert chats.words.take == "Mine"
