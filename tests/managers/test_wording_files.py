"""The managers' texts from flows/managers/ on cards and buttons, and after a reload."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from chatbot.engine.manager_wording import RU
from tests.conftest import ROOT
from tests.managers.conftest import Shop

CALL = "Позовите менеджера, пожалуйста"


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A copy of the shipped flows whose Russian managers' file renames two things."""
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "managers" / "ru.yaml").write_text(
        'take: "🙋 Беру"\nkinds:\n  human: "зовёт живого человека"\n', encoding="utf-8"
    )
    return flows


def _labels(card: dict[str, Any]) -> list[str]:
    return [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]


async def test_the_card_shows_the_shops_wording(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    assert "зовёт живого человека" in card["text"]
    assert _labels(card) == ["🙋 Беру", RU.done, RU.back]


async def test_a_reload_applies_edited_managers_texts(shop: Shop, flows_dir: Path) -> None:
    (flows_dir / "managers" / "ru.yaml").write_text('take: "Моё!"\n', encoding="utf-8")
    assert await shop.runtime.reload()
    await shop.customer(CALL)
    [card] = shop.cards()
    assert _labels(card)[0] == "Моё!"
    assert RU.kinds["human"] in card["text"]  # no longer renamed: the built-in name is back


async def test_a_broken_managers_file_is_refused_on_reload(shop: Shop, flows_dir: Path) -> None:
    (flows_dir / "managers" / "ru.yaml").write_text('take: "Моё {x}"\n', encoding="utf-8")
    assert not await shop.runtime.reload()
    await shop.customer(CALL)
    [card] = shop.cards()
    assert _labels(card)[0] == "🙋 Беру"  # the running texts stay
