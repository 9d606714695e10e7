"""Loading flows/ into a FlowSet, with every problem reported as file:line and a fix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chatbot.admin_files.checks import check_flowset
from chatbot.admin_files.origins import Origins
from chatbot.admin_files.yaml_source import YamlDoc, read_admin_file
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec import FlowFile, ManagerHandlers
from chatbot.engine.spec_actions import untagged
from chatbot.engine.spec_shop import ShopSettings
from chatbot.errors import FlowError, Problem, Reported

TEXTS_DIR = "texts"


@dataclass(frozen=True)
class LoadResult(Reported):
    """The flows (None when there are errors) and every problem found."""

    flows: FlowSet | None
    problems: tuple[Problem, ...]


def load_flows(directory: Path, extra_intents: Iterable[str] = ()) -> FlowSet:
    """Load and validate flows/; raise FlowError listing every error."""
    result = check_flows(directory, extra_intents)
    if result.flows is None:
        raise FlowError(result.errors)
    return result.flows


def check_flows(directory: Path, extra_intents: Iterable[str] = ()) -> LoadResult:
    """Load flows/ and return the flows with every problem, instead of raising."""
    problems: list[Problem] = []
    if not directory.is_dir():
        problem = Problem(
            str(directory),
            1,
            "the flows folder does not exist",
            hint="set FLOWS_DIR or pass --flows to an existing folder",
        )
        return LoadResult(None, (problem,))
    files = sorted(p for p in directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        problem = Problem(
            str(directory),
            1,
            "no *.yaml flow files in the folder",
            hint="copy the shipped flows/ folder and edit it",
        )
        return LoadResult(None, (problem,))
    parsed: list[tuple[YamlDoc, FlowFile]] = []
    for path in files:
        doc = read_admin_file(path, problems)
        if doc is None:
            continue
        model = _validate(doc, problems)
        if model is not None:
            parsed.append((doc, model))
    origins = Origins()
    texts = _read_texts(directory / TEXTS_DIR, problems, origins)
    if any(p.severity == "error" for p in problems):
        return LoadResult(None, tuple(problems))
    flows = _merge(parsed, texts, origins, problems)
    problems.extend(check_flowset(flows, origins, extra_intents))
    ok = not any(p.severity == "error" for p in problems)
    return LoadResult(flows if ok else None, tuple(problems))


def _validate(doc: YamlDoc, problems: list[Problem]) -> FlowFile | None:
    if doc.data is None:
        return FlowFile()
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(
                doc.file,
                1,
                "a flow file must be a mapping of sections",
                hint="start with keys such as shop:, stages:, timers:",
            )
        )
        return None
    try:
        return FlowFile.model_validate(doc.data)
    except ValidationError as exc:
        errors: list[Any] = [{**e, "loc": untagged(e["loc"])} for e in exc.errors()]
        for err in errors:
            if _losing_branch(doc.data, err, errors):
                continue
            path = _data_path(doc.data, err["loc"])
            problems.append(_problem_from(doc, path, err))
        return None


def _losing_branch(data: Any, err: Any, errors: Sequence[Any]) -> bool:
    """A union member's type error (`reply.str`) while another member read further: noise."""
    loc = tuple(err["loc"])
    if not err["type"].endswith("_type") or not loc:
        return False
    node = data
    for part in loc[:-1]:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if not found:
            return False
        node = node[part]
    if not isinstance(node, dict) or loc[-1] in node:
        return False  # the last part is real data, not the name of a union member
    parent = loc[:-1]
    return any(
        len(o["loc"]) > len(loc) and tuple(o["loc"][: len(parent)]) == parent
        for o in errors
        if o is not err
    )


def _problem_from(doc: YamlDoc, path: tuple[str | int, ...], err: Any) -> Problem:
    where = ".".join(str(p) for p in path) or "(top)"
    kind = err["type"]
    stage = str(path[1]) if len(path) > 1 and path[0] == "stages" else ""
    if kind == "extra_forbidden":
        msg, hint = (
            f"unknown key {path[-1]!r} at {where}",
            "check the spelling; see `chatbot schema`",
        )
    elif kind == "missing":
        msg, hint = f"missing key {err['loc'][-1]!r} at {where}", "add it; see `chatbot schema`"
    else:
        msg = f"{where}: {err['msg']}"
        hint = "see `chatbot schema` for the expected form"
        if "bad duration" in err["msg"] or "bad hours" in err["msg"]:
            hint = "durations look like 90s, 10m, 24h, 1d2h; hours like 10:00-19:00"
    return Problem(doc.file, doc.line(path), msg, hint=hint, flow=Path(doc.file).stem, stage=stage)


def _data_path(data: Any, loc: Iterable[Any]) -> tuple[str | int, ...]:
    """Keep the parts of a pydantic error location that really exist in the data."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif part == "continue_" and isinstance(node, dict):
            path.append("continue")
        elif isinstance(node, dict) and isinstance(part, str) and not part[:1].isupper():
            # A missing or unknown key: point at the mapping, name the key.
            path.append(part)
            break
    return tuple(path)


def _read_texts(
    directory: Path, problems: list[Problem], origins: Origins
) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    if not directory.is_dir():
        problems.append(
            Problem(
                str(directory),
                1,
                "the texts folder is missing",
                hint="add flows/texts/<lang>.yaml with the message texts",
            )
        )
        return texts
    for path in sorted(directory.glob("*.yaml")):
        doc = read_admin_file(path, problems)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(
                    doc.file,
                    1,
                    "a texts file maps text keys to texts",
                    hint='write lines like  greeting: "Здравствуйте!"',
                )
            )
            continue
        lang_texts: dict[str, str] = {}
        for key, value in doc.data.items():
            if not isinstance(value, str):
                problems.append(
                    Problem(
                        doc.file,
                        doc.line((key,)),
                        f"the text {key!r} is not a string",
                        hint="quote the text or use a | block",
                    )
                )
                continue
            lang_texts[str(key)] = value
        texts[path.stem] = lang_texts
        origins.texts[path.stem] = doc
    return texts


def _merge(
    parsed: list[tuple[YamlDoc, FlowFile]],
    texts: dict[str, dict[str, str]],
    origins: Origins,
    problems: list[Problem],
) -> FlowSet:
    shop: ShopSettings | None = None
    stages: dict[str, Any] = {}
    events: dict[str, list[Any]] = {}
    timers: dict[str, Any] = {}
    menus: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {"before": [], "customer": [], "on_close": []}
    manager: dict[str, list[Any]] = {"message": [], "take": [], "done": [], "return_to_bot": []}
    for doc, model in parsed:
        origins.add_doc(doc)
        if model.shop is not None:
            if shop is not None:
                problems.append(
                    Problem(
                        doc.file,
                        doc.line(("shop",)),
                        "shop settings are defined in two files",
                        hint="keep one shop: section",
                    )
                )
            shop = model.shop
            origins.record(("shop",), doc, ("shop",))
        for section, target in (("stages", stages), ("timers", timers), ("menus", menus)):
            for name, spec in getattr(model, section).items():
                if name in target:
                    problems.append(
                        Problem(
                            doc.file,
                            doc.line((section, name)),
                            f"{section[:-1]} {name!r} is defined twice",
                            hint="rename or delete one of them",
                        )
                    )
                target[name] = spec
                origins.record((section, name), doc, (section, name))
        for section, bucket in lists.items():
            for i, handler in enumerate(getattr(model, section)):
                origins.record((section, len(bucket)), doc, (section, i))
                bucket.append(handler)
        for event, handlers in model.events.items():
            bucket = events.setdefault(event, [])
            for i, handler in enumerate(handlers):
                origins.record(("events", event, len(bucket)), doc, ("events", event, i))
                bucket.append(handler)
        if model.manager is not None:
            for key, bucket in manager.items():
                for i, handler in enumerate(getattr(model.manager, key)):
                    origins.record(("manager", key, len(bucket)), doc, ("manager", key, i))
                    bucket.append(handler)
    return FlowSet(
        shop=shop or ShopSettings(),
        stages=stages,
        before=tuple(lists["before"]),
        customer=tuple(lists["customer"]),
        events={k: tuple(v) for k, v in events.items()},
        manager=ManagerHandlers(**manager),
        timers=timers,
        menus=menus,
        on_close=tuple(lists["on_close"]),
        texts=texts,
    )
