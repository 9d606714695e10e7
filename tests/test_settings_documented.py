"""Every setting is documented in .env.example and in the settings table of docs/settings.md."""

from __future__ import annotations

import pytest

from chatbot.config import Settings
from tests.conftest import ROOT

NAMES = sorted(str(f.alias) for f in Settings.model_fields.values() if f.alias)


@pytest.mark.parametrize("name", NAMES)
def test_env_example_documents_the_setting(name: str) -> None:
    assert f"{name}=" in (ROOT / ".env.example").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_settings_page_lists_the_setting(name: str) -> None:
    assert f"`{name}`" in (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
