"""Where each merged flow element came from, so semantic checks can name file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chatbot.admin_files.yaml_source import Path_, YamlDoc
from chatbot.errors import Problem


@dataclass
class Origins:
    """Maps paths in the merged flows to (file, path in that file)."""

    roots: dict[Path_, tuple[YamlDoc, Path_]] = field(default_factory=dict)
    texts: dict[str, YamlDoc] = field(default_factory=dict)
    docs: list[YamlDoc] = field(default_factory=list)

    def add_doc(self, doc: YamlDoc) -> None:
        """Remember a flow file."""
        self.docs.append(doc)

    def record(self, merged: Path_, doc: YamlDoc, local: Path_) -> None:
        """Remember that `merged` came from `local` in `doc`."""
        self.roots[merged] = (doc, local)

    def locate(self, merged: Path_) -> tuple[str, int]:
        """The file and line of a merged path (its nearest recorded ancestor)."""
        for cut in range(len(merged), 0, -1):
            found = self.roots.get(merged[:cut])
            if found is not None:
                doc, local = found
                return doc.file, doc.line((*local, *merged[cut:]))
        if self.docs:
            return self.docs[0].file, 1
        return "flows", 1

    def problem(
        self, merged: Path_, message: str, hint: str, stage: str = "", warn: bool = False
    ) -> Problem:
        """A problem at the file and line a merged path came from, named after its flow file."""
        file, line = self.locate(merged)
        severity = "warning" if warn else "error"
        return Problem(
            file, line, message, hint=hint, flow=Path(file).stem, stage=stage, severity=severity
        )

    def locate_text(self, lang: str, key: str) -> tuple[str, int]:
        """The file and line of a text key."""
        doc = self.texts.get(lang)
        if doc is None:
            return f"texts/{lang}.yaml", 1
        return doc.file, doc.line((key,))
