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
    """Read the workspace secret, creating it with owner-only permissions on first use.

    Several processes may open one new store at once (two crawlers on one SQLite file):
    all of them end with the one key that reached the disk first (see :func:`install_key`).

    Raises:
        OSError: ``key_path`` is None and ``TONGXIN_KEY`` is unset, or the key file
            cannot be read or written.
    """
    if key_path is None:  # a server database: the key comes from the environment
        env = os.environ.get("TONGXIN_KEY")
        if not env:
            raise OSError("TONGXIN_KEY must be set to a secret when the store is not a local file")
        return env.encode()
    try:
        return _read_key(key_path)
    except FileNotFoundError:
        return install_key(key_path, secrets.token_hex(32).encode())


def install_key(key_path: Path, key: bytes) -> bytes:
    """Put ``key`` at ``key_path`` unless a key is there already; return the key in place.

    The key is written in full to a private file beside ``key_path`` and hard-linked into
    place, which fails when the name exists: a reader never sees a half-written key and
    two processes creating the key at once agree on one.
    """
    temporary = key_path.with_name(f"{key_path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, key_path)
        except FileExistsError:
            return _read_key(key_path)
        return key
    finally:
        temporary.unlink(missing_ok=True)


def _read_key(key_path: Path) -> bytes:
    key = key_path.read_bytes()
    if not key.strip():
        raise OSError(f"{key_path}: the pseudonym key file is empty; restore it from a backup, or remove it "
                      "only if the store holds no pseudonyms yet")
    return key


def pseudonym(key: bytes, value: str, prefix: str = "v") -> str:
    """A stable, non-reversible token for ``value`` (an author name, a respondent id)."""
    digest = hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}_{digest[:16]}"
