"""Online backups of the database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup_database(url: str, out: Path) -> int:
    """Write a consistent copy of the database at ``url`` to ``out``; return its size in bytes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _backup_sqlite(parsed.database or "", out)
    elif parsed.get_backend_name() == "postgresql":
        _backup_postgres(parsed, out)
    else:
        raise BackupError(f"no backup method for {parsed.get_backend_name()}")
    return out.stat().st_size


def _backup_sqlite(path: str, out: Path) -> None:
    if not path or not Path(path).exists():
        raise BackupError(f"SQLite database not found: {path!r}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)  # page by page, consistent even while others write
    finally:
        target.close()
        source.close()


def _backup_postgres(parsed, out: Path) -> None:  # type: ignore[no-untyped-def]
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={out}", plain],
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
