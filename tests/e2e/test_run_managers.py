"""`chatbot run` with a managers' group, as a separate process polling the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.channels import updates as u
from tests.channels.fake_bot_api import TOKEN, FakeBotApi
from tests.conftest import ROOT
from tests.e2e.test_run_process import _wait_for, api, free_port

__all__ = ["api"]  # the fake Bot API fixture, shared with the other process test


async def test_cards_buttons_and_replies_work_in_a_running_bot(
    api: FakeBotApi, tmp_path: Path
) -> None:
    api.member(u.MANAGER_ID)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base,
        "MANAGERS_CHAT_ID": str(u.GROUP_ID),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatbot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        api.push(u.text("Позовите менеджера, пожалуйста", update_id=1, message_id=10))
        await _wait_for(lambda: api.sent(u.GROUP_ID))
        [card] = api.sent(u.GROUP_ID)
        api.push(u.press("mgr:take:1", card, 2, "cq-1"))
        await _wait_for(lambda: "@olga" in api.message(u.GROUP_ID, card["message_id"])["text"])
        api.push(u.group_text("Добрый день, я Ольга", 3, 20, reply_to=card))
        await _wait_for(lambda: len(api.sent(u.CUSTOMER_ID)) == 2)
        assert api.sent(u.CUSTOMER_ID)[-1]["text"] == "Добрый день, я Ольга"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    for private in ("Позовите", "Ольга"):  # no message text in the logs at INFO
        assert private not in err.decode()
    assert [c["text"] for c in api.called("answerCallbackQuery")] == ["Задача #1 ваша"]
