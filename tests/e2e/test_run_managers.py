"""`chatbot run` with a managers' group, as a separate process polling the fake Bot API."""

from __future__ import annotations

from tests.channels import updates as u
from tests.channels.fake_bot_api import FakeBotApi
from tests.e2e.bot_process import eventually
from tests.e2e.conftest import MakeBot


async def test_cards_buttons_and_replies_work_in_a_running_bot(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    api.member(u.MANAGER_ID)
    # Polling mode (no webhook URL), the shop always open so no off-hours note joins in.
    bot = make_bot(env={"TELEGRAM_WEBHOOK_URL": "", "MANAGERS_CHAT_ID": str(u.GROUP_ID)})
    await bot.start()
    api.push(u.text("Позовите менеджера, пожалуйста", update_id=1, message_id=10))
    await eventually(lambda: api.sent(u.GROUP_ID))
    [card] = api.sent(u.GROUP_ID)
    api.push(u.press("mgr:take:1", card, 2, "cq-1"))
    await eventually(lambda: "@olga" in api.message(u.GROUP_ID, card["message_id"])["text"])
    api.push(u.group_text("Добрый день, я Ольга", 3, 20, reply_to=card))
    await eventually(lambda: len(api.sent(u.CUSTOMER_ID)) == 2)
    assert api.sent(u.CUSTOMER_ID)[-1]["text"] == "Добрый день, я Ольга"
    log = await bot.stop()
    for private in ("Позовите", "Ольга"):  # no message text in the logs at INFO
        assert private not in log
    assert [c["text"] for c in api.called("answerCallbackQuery")] == ["Задача #1 ваша"]
