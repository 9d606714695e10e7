"""Media as outbox payloads and manager attachments, and the size limits on the way."""

from __future__ import annotations

from chatbot.core.media import (
    MB,
    ManagerFile,
    Media,
    megabytes,
    read_manager_file,
    whatsapp_limit,
)


def test_media_goes_through_json_with_only_what_is_set() -> None:
    place = Media("location", latitude=55.75, longitude=37.62, title="Дом")
    assert place.to_json() == {
        "kind": "location",
        "latitude": 55.75,
        "longitude": 37.62,
        "title": "Дом",
    }
    assert Media.from_json({**place.to_json(), "unknown": 1}) == place


def test_a_manager_file_survives_its_attachment_string_whatever_its_name() -> None:
    file = ManagerFile(
        "document", "BQAD&x=1", 123, "application/pdf", "прайс & цены?.pdf", "-100:55"
    )
    assert read_manager_file(file.attachment()) == file


def test_a_copy_reference_is_no_manager_file() -> None:
    assert read_manager_file("-1001234567890:41") is None
    assert read_manager_file("tg-file?kind=photo") is None  # no file id


def test_limits_on_the_way_to_whatsapp() -> None:
    assert whatsapp_limit(ManagerFile("photo", "p", 5 * MB)) is None
    assert whatsapp_limit(ManagerFile("photo", "p", 5 * MB + 1)) == 5 * MB
    assert whatsapp_limit(ManagerFile("video", "v", 17 * MB)) == 16 * MB
    # Files WhatsApp takes up to 100 MB, but the bot downloads at most 20 MB from Telegram.
    assert whatsapp_limit(ManagerFile("document", "d", 21 * MB)) == 20 * MB
    assert whatsapp_limit(ManagerFile("document", "d", 0)) is None  # size unknown: try


def test_sizes_read_in_megabytes() -> None:
    assert (megabytes(60 * MB), megabytes(MB + MB // 2)) == ("60", "1.5")
