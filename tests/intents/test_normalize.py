"""Normalisation, tokens and the surface features of a message."""

from __future__ import annotations

from chatbot.intents.normalize import (
    emojis,
    features,
    link_domain,
    links,
    normalize,
    tokens,
)


def test_normalize_lowercases_and_unifies() -> None:
    assert normalize("  Ещё  РАЗ…  «Ок»  ") == 'еще раз... "ок"'
    assert normalize("спасибоооо!!!") == "спасибо!!!"
    assert normalize("I’ll DON'T") == "ill dont"


def test_tokens_keep_words_and_numbers() -> None:
    assert tokens("Заказ №A-17, 2 шт.; zakaz gde?") == [
        "заказ",
        "a",
        "17",
        "2",
        "шт",
        "zakaz",
        "gde",
    ]


def test_emojis_count_sequences_as_one() -> None:
    family = "👨\u200d👩\u200d👧"
    assert emojis(f"ok 👍🏽 {family} 🇷🇺 1️⃣ ❤️") == ["👍🏽", family, "🇷🇺", "1️⃣", "❤️"]
    assert emojis("просто текст :)") == []


def test_links_and_handles() -> None:
    found = links("см. https://a.example/x?y=1, www.b.com и shop.ru/p/2, пиши @seller_top")
    assert found == ["https://a.example/x?y=1", "www.b.com", "shop.ru/p/2", "@seller_top"]
    assert links("т.е. цена 1.5 тыс, почта ivan@mail.ru") == []
    assert link_domain("https://www.Shop.ru/item") == "shop.ru"


def test_features_counts() -> None:
    f = features("🔥🔥 бери тут t.me/deal и sub.myshop.ru/a", frozenset({"myshop.ru"}))
    assert (f.emojis, f.links, f.foreign_links) == (2, 2, 1)
    assert f.words == 3  # бери, тут, и: links are not words
    assert f.number is None
    assert features(" 9 ").number == 9
    assert features("10.").number == 10
    assert features("9 шаров").number is None
