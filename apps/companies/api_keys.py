"""Company API keys: ``ea_<prefix>_<secret>``. The prefix finds the row; the hash proves it.

The secret has 256 bits of entropy, so a plain SHA-256 is the right hash: a slow password
hash would only slow every API call down without making a random key any harder to guess.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "ea"
PREFIX_BYTES = 6  # 12 hex characters
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    raw: str
    prefix: str
    key_hash: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_key() -> GeneratedKey:
    prefix = secrets.token_hex(PREFIX_BYTES)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return GeneratedKey(raw=raw, prefix=prefix, key_hash=hash_key(raw))


def split_prefix(raw: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like ours."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    return parts[1]


def matches(raw: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_key(raw), key_hash)
