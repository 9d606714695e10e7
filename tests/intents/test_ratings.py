"""Reading a 0-10 score from a customer's reply: digits, fractions, words, grade nouns."""

from __future__ import annotations

import pytest

from chatbot.intents.ratings import read_rating


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("7", 7),
        ("0", 0),
        ("10", 10),
        (" 9 ", 9),
        ("9!", 9),
        ("10!!!", 10),
        ("8.", 8),
        ("10)))", 10),
        ("10 🔥", 10),
        ("👍 9", 9),
        ("🔟", 10),
        ("1️⃣0️⃣", 10),
        ("7/10", 7),
        ("10/10", 10),
        ("0/10", 0),
        ("8 / 10", 8),
        ("7 из 10", 7),
        ("10 из 10", 10),
        ("десять из десяти", 10),
        ("10 баллов из 10", 10),
        ("8 out of 10", 8),
        ("10 out of 10 would recommend", 10),
        ("ставлю 10", 10),
        ("ставлю вам 9", 9),
        ("поставлю 8", 8),
        ("на 8", 8),
        ("на все 10", 10),
        ("8 баллов", 8),
        ("9 баллов однозначно", 9),
        ("оценка 9", 9),
        ("моя оценка 7", 7),
        ("оцениваю на 6", 6),
        ("твердая 10", 10),
        ("твёрдая 8", 8),
        ("ну 7 наверное", 7),
        ("10 10 10", 10),
        ("10, спасибо!", 10),
        ("10 спасибо большое", 10),
        ("9 спасибо за помощь", 9),
        ("десять спасибооо", 10),
        ("10 все супер", 10),
        ("всё отлично 10", 10),
        ("10 вы лучшие ❤️", 10),
        ("10 молодцы", 10),
        ("10/10 thanks!", 10),
        ("10/10 thank you", 10),
        ("9 thx", 9),
        ("ОЦЕНКА 9", 9),
    ],
)
def test_digits_and_fractions(text: str, score: int) -> None:
    assert read_rating(text) == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("ноль", 0),
        ("один", 1),
        ("две", 2),
        ("пять", 5),
        ("семь", 7),
        ("восемь", 8),
        ("десять", 10),
        ("Десять!", 10),
        ("десятка", 10),
        ("на десяточку", 10),
        ("твердая десятка", 10),
        ("восьмерка", 8),
        ("восьмёрка", 8),
        ("на восьмерочку", 8),
        ("пятёрка", 5),
        ("пятерочка", 5),
        ("семерка", 7),
        ("девятка", 9),
        ("zero", 0),
        ("seven", 7),
        ("Ten", 10),
        ("i'd give it 8", 8),
        ("I'd give it 8", 8),
        ("i would give you a 9", 9),
        ("a solid 8", 8),
        ("my rating is 6", 6),
        ("definitely 10", 10),
        ("eight out of ten", 8),
    ],
)
def test_number_words_and_phrases(text: str, score: int) -> None:
    assert read_rating(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "спасибо",
        "👍",
        "шары сдулись через два часа",
        "привезли 3 шара вместо 5",
        "заказ 12345",
        "заказ №123",
        "где мой заказ 5",
        "11",
        "100",
        "1000",
        "-5",
        "7 или 8",
        "7 8",
        "7-8",
        "между 7 и 8",
        "8.5",
        "8,5",
        "в 15:00",
        "15:00",
        "+7 999 123-45-67",
        "89991234567",
        "8 999 123 45 67",
        "500р",
        "500 руб",
        "50%",
        "10ка",
        "на 8 марта",
        "на 2 человека",
        "не 10",
        "не знаю",
        "10 но доставка опоздала на час",
        "курьер приехал через 40 минут а обещали 20",
        "two of them were broken",
        "one more question",
        "один вопрос",
        "5 звезд",
    ],
)
def test_not_a_score(text: str) -> None:
    assert read_rating(text) is None


@pytest.mark.parametrize("text", ["5/5", "5 из 5", "4 out of 5", "10/5", "11/10", "3/100"])
def test_another_scale_is_not_converted(text: str) -> None:
    assert read_rating(text) is None


def test_the_scale_follows_top() -> None:
    assert read_rating("5/5", top=5) == 5
    assert read_rating("4 из 5", top=5) == 4
    assert read_rating("пятерка", top=5) == 5
    assert read_rating("7", top=5) is None
    assert read_rating("7/10", top=5) is None
    assert read_rating("десятка", top=5) is None


def test_a_long_story_is_not_a_score() -> None:
    text = "10 " + "спасибо " * 20
    assert read_rating(text) is None
    assert read_rating("10 " + "спасибо " * 5) == 10
