"""A faithful local fake of the Qwen image API (demo mode and integration tests)."""

from qwen_studio.sandbox.faults import FAULT_KINDS, GENERATION_FAULTS, RESULT_FAULTS
from qwen_studio.sandbox.server import SandboxServer

__all__ = ["FAULT_KINDS", "GENERATION_FAULTS", "RESULT_FAULTS", "SandboxServer"]
