"""Where merged flows keep their action lists and conditions, nested `choose` included."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chatbot.admin_files.yaml_source import Path_
from chatbot.engine import spec_actions as act
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_actions import Action, ChooseAction, Handler
from chatbot.engine.spec_conditions import Condition


@dataclass(frozen=True)
class Site:
    """A list of actions and where it lives."""

    path: Path_
    stage: str
    actions: tuple[Action, ...]


def sites(flows: FlowSet) -> Iterator[Site]:
    """Every action list of the flows, with where it lives."""
    top: list[Site] = []
    for name, stage in flows.stages.items():
        top.append(Site(("stages", name, "on_enter"), name, tuple(stage.on_enter)))
        for i, h in enumerate(stage.on):
            top.append(Site(("stages", name, "on", i, "do"), name, tuple(h.do)))
    for path, handler in _handlers(flows):
        top.append(Site((*path, "do"), "", tuple(handler.do)))
    for name, timer in flows.timers.items():
        top.append(Site(("timers", name, "do"), "", tuple(timer.do)))
    for site in top:
        yield from _with_nested(site)


def _with_nested(site: Site) -> Iterator[Site]:
    """A site and the action lists nested in its `choose` actions."""
    yield site
    for i, action in enumerate(site.actions):
        for j, handler in enumerate(action.choose if isinstance(action, ChooseAction) else ()):
            inner = Site((*site.path, i, "choose", j, "do"), site.stage, tuple(handler.do))
            yield from _with_nested(inner)


def _nested_conditions(site: Site) -> Iterator[tuple[Path_, str, Condition]]:
    for i, action in enumerate(site.actions):
        for j, handler in enumerate(action.choose if isinstance(action, ChooseAction) else ()):
            yield (*site.path, i, "choose", j, "when"), site.stage, handler.when


def _handlers(flows: FlowSet) -> Iterator[tuple[Path_, Handler]]:
    for i, h in enumerate(flows.before):
        yield ("before", i), h
    for i, h in enumerate(flows.customer):
        yield ("customer", i), h
    for event, handlers in flows.events.items():
        for i, h in enumerate(handlers):
            yield ("events", event, i), h
    for key in ("message", "take", "done", "return_to_bot"):
        for i, h in enumerate(getattr(flows.manager, key)):
            yield ("manager", key, i), h
    for i, h in enumerate(flows.on_close):
        yield ("on_close", i), h


def conditions(flows: FlowSet) -> Iterator[tuple[Path_, str, Condition]]:
    """Every handler condition of the flows, with where it lives and its stage."""
    for site in sites(flows):
        yield from _nested_conditions(site)
    for name, stage in flows.stages.items():
        for i, h in enumerate(stage.on):
            yield ("stages", name, "on", i, "when"), name, h.when
    for path, handler in _handlers(flows):
        yield (*path, "when"), "", handler.when


def uses_personalise(flows: FlowSet) -> bool:
    """True when some reply lets the LLM personalise its text."""
    replies = (a for s in sites(flows) for a in s.actions if isinstance(a, act.ReplyAction))
    return any(reply.spec.personalise for reply in replies)
