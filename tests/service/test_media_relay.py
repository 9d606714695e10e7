"""A customer's media is queued for the managers when a manager holds or must see the dialog."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from chatbot.core.media import Media
from chatbot.db import dialogs
from chatbot.db.tables import OutboxRow
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.media_relay import relay_media
from chatbot.service.pipeline import Pipeline

PHOTO = Media("photo", "5:77", caption="сколько стоит?")


async def media_rows(pipeline: Pipeline) -> list[tuple[str, dict[str, object]]]:
    async with pipeline.db.snapshot() as session:
        rows = await session.execute(
            select(OutboxRow.channel, OutboxRow.payload).where(OutboxRow.kind == "media")
        )
        return [(r[0], r[1]) for r in rows]


async def test_a_dialog_the_bot_leads_alone_queues_nothing(pipeline: Pipeline) -> None:
    await pipeline.handle(Inbound("telegram", "5", IncomingText("Здравствуйте"), "m1"))
    dialog = await pipeline.db.read(dialogs.load_dialog, "telegram", "5")
    assert dialog is not None
    assert not dialog.state.paused
    now = pipeline.clock.now()
    assert not await pipeline.db.write(relay_media, dialog, dialog.state, PHOTO, now)
    assert await media_rows(pipeline) == []


async def test_a_held_dialog_queues_the_media_for_the_managers(pipeline: Pipeline) -> None:
    await pipeline.handle(Inbound("telegram", "5", IncomingText("Здравствуйте"), "m1"))
    dialog = await pipeline.db.read(dialogs.load_dialog, "telegram", "5")
    assert dialog is not None
    held = replace(dialog.state, paused=True)
    assert await pipeline.db.write(relay_media, dialog, held, PHOTO, pipeline.clock.now())
    payload = {
        "dialog_id": dialog.id,
        "channel": "telegram",
        "media": {"kind": "photo", "ref": "5:77", "caption": "сколько стоит?"},
    }
    assert await media_rows(pipeline) == [("managers", payload)]


async def test_a_photo_that_hands_over_is_queued_after_its_card(pipeline: Pipeline) -> None:
    photo = IncomingText("[photo] позовите менеджера", media=Media("photo", "5:78"))
    await pipeline.handle(Inbound("telegram", "5", photo, "m2"))
    async with pipeline.db.snapshot() as session:
        kinds = (
            (
                await session.execute(
                    select(OutboxRow.kind)
                    .where(OutboxRow.channel == "managers")
                    .order_by(OutboxRow.id)
                )
            )
            .scalars()
            .all()
        )
    assert list(kinds) == ["task", "media"]
