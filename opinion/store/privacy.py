"""Keyed pseudonyms: the same name maps to the same token within one workspace only.

The key is a random secret kept beside the store (``<store>.key``, mode 0600), so a
pseudonym cannot be reversed by hashing a list of likely names without it.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def workspace_key(key_path: Path | None) -> bytes:
    """Read the workspace secret, creating it with owner-only permissions on first use."""
    if key_path is None:  # a server database: the key comes from the environment
        env = os.environ.get("TONGXIN_KEY")
        if not env:
            raise OSError("TONGXIN_KEY must be set to a secret when the store is not a local file")
        return env.encode()
    if key_path.exists():
        return key_path.read_bytes()
    key = secrets.token_hex(32).encode()
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def pseudonym(key: bytes, value: str, prefix: str = "v") -> str:
    """A stable, non-reversible token for ``value`` (an author name, a respondent id)."""
    digest = hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}_{digest[:16]}"
