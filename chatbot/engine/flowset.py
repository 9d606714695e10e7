"""The merged, validated flows: what the engine runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatbot.engine.spec import ManagerHandlers, MenuSpec, StageSpec, TimerSpec
from chatbot.engine.spec_actions import Handler
from chatbot.engine.spec_shop import ShopSettings


@dataclass(frozen=True, eq=False)
class FlowSet:
    """Every flow file merged, plus message texts per language."""

    shop: ShopSettings
    stages: Mapping[str, StageSpec]
    before: tuple[Handler, ...] = ()
    customer: tuple[Handler, ...] = ()
    events: Mapping[str, tuple[Handler, ...]] = field(default_factory=dict)
    manager: ManagerHandlers = field(default_factory=ManagerHandlers)
    timers: Mapping[str, TimerSpec] = field(default_factory=dict)
    menus: Mapping[str, MenuSpec] = field(default_factory=dict)
    on_close: tuple[Handler, ...] = ()
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def text(self, key: str, lang: str) -> str:
        """The text of `key` in `lang`, falling back to the default language."""
        for candidate in (lang, self.shop.default_lang):
            found = self.texts.get(candidate, {}).get(key)
            if found is not None:
                return found
        return key
