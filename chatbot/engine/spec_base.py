"""The base of flow-file models: unknown keys are refused and a loaded model never changes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A flow-file model: extra keys are errors, instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
