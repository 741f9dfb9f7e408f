"""Process wiring shared by the API, the worker and the CLI: the context and the models."""

from simkyc.runtime.context import Runtime, build_runtime, ensure_schema
from simkyc.runtime.models import ModelRegistry

__all__ = ["ModelRegistry", "Runtime", "build_runtime", "ensure_schema"]
