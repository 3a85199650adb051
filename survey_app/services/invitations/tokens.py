"""Invitation tokens.

Tokens
    ``secrets.token_urlsafe(32)`` (256 bits) goes into the email and nowhere
    else; the row keeps its SHA-256. A new token is made for every message that
    is actually handed to the SMTP server (a reminder too: we cannot put the old
    link in it, since we do not have it), so the newest email always holds the
    working link. A send that fails leaves no usable token.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}\Z")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
