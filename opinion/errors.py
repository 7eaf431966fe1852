"""Domain exceptions. Library code raises these; only ``cli/`` turns them into exit codes."""
from __future__ import annotations


class TongxinError(Exception):
    """Base class of every error tongxin raises on purpose (bad input, missing file, ...)."""


class InputError(TongxinError):
    """A user-supplied file or value is malformed; the message names where and what."""


class StoreError(TongxinError):
    """The workspace store cannot be opened or is of an unknown schema version."""
