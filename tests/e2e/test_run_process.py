"""`chatbot run` as a separate process, talked to only over HTTP: fake Bot API, events API."""

from __future__ import annotations

from tests.channels.fake_bot_api import FakeBotApi
from tests.channels.updates import text
from tests.e2e.bot_process import eventually
from tests.e2e.conftest import MakeBot


async def test_run_serves_telegram_and_the_events_api(api: FakeBotApi, make_bot: MakeBot) -> None:
    # Polling mode (no webhook URL); the crash tests use the webhook.
    bot = make_bot(env={"TELEGRAM_WEBHOOK_URL": "", "EVENTS_API_TOKEN": "events-secret"})
    await bot.start()
    api.push(text("Здравствуйте", update_id=1, message_id=10))
    await eventually(lambda: api.called("sendMessage"))
    menu = api.called("sendMessage")[0]
    assert "Чем помочь?" in menu["text"]
    assert "reply_markup" in menu
    customer = {"channel": "telegram", "chat_id": str(menu["chat_id"])}
    event = {"id": "e-1", "type": "missed_call", "customer": customer}
    headers = {"Authorization": "Bearer events-secret"}
    async with bot.http.post(f"{bot.url}/api/events", json=event, headers=headers) as response:
        assert response.status == 202
    await eventually(lambda: len(api.called("sendMessage")) >= 2)
    assert "пропустили ваш звонок" in api.called("sendMessage")[1]["text"]
    log = await bot.stop()
    assert "Здравствуйте" not in log  # no message text in the logs at INFO
