"""The README's commands, run as a new user runs them: from a fresh copy, in a fresh shell.

The checkout is copied as a clone would hold it (the tracked files plus new, not ignored
ones, so the test sees uncommitted work too), with no ``instance/`` folder, no catalogue
``.mo`` and no ``SURVEY_*`` variable. To stay cheap it borrows this checkout's installed
packages: the copy's ``.venv/bin`` links to ours and ``PYTHONPATH`` puts the copy's own
code first. Every command comes from README.md itself (the quick start, the command table
with its placeholders filled in, every ``.venv/bin/flask`` example) or from what
``make run`` prints; any traceback fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FLASK = ".venv/bin/flask --app wsgi"


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make and git are needed to follow the README")
    if not (ROOT / ".venv" / "bin" / "flask").exists():
        pytest.skip("no .venv in this checkout (run make install)")
    clone = tmp_path_factory.mktemp("readme") / "checkout"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    bin_dir = clone / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in (ROOT / ".venv" / "bin").iterdir():
        (bin_dir / tool.name).symlink_to(tool)
    for part in (ROOT / ".venv").iterdir():  # lib/, pyvenv.cfg...: .venv/bin/python is a venv's python
        if part.name not in ("bin", ".installed"):
            (clone / ".venv" / part.name).symlink_to(part)
    (clone / ".venv" / ".installed").touch()  # newer than the copied pyproject.toml: make installs nothing
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SURVEY_", "PYTEST", "VIRTUAL_ENV", "FLASK_", "GUNICORN_")) and k != "PORT"}
    env["PYTHONPATH"] = str(clone)
    return clone, env


def _run(command: str, clone: Path, env: dict[str, str], stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["bash", "-c", command], cwd=clone, env=env, input=stdin, text=True,
                            capture_output=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, f"{command}\n{output}"
    return result


def test_before_make_run_a_command_explains_the_configuration_in_one_line(fresh):
    clone, env = fresh
    result = _run(f"{FLASK} db upgrade", clone, env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Configuration error: SURVEY_SECRET_KEY"), result.stderr


def test_after_make_install_a_file_command_works_in_a_fresh_shell(fresh):
    """Set up with make (`make test` or `make install`, not only `make run`): the checkout is for development."""
    clone, env = fresh
    try:
        assert _run("make install", clone, env).returncode == 0
        assert "SURVEY_ENV=development" in (clone / "instance" / "settings.env").read_text()
        result = _run(f"{FLASK} questionnaires validate", clone, env)
        assert result.returncode == 0 and "citizen.yaml: OK" in result.stdout, result.stderr
    finally:
        shutil.rmtree(clone / "instance", ignore_errors=True)  # the quick start begins without it


def test_quick_start_then_every_command_as_printed(fresh, tmp_path):
    clone, env = fresh
    quick = _section("Quick start")
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    # The suite itself (`make test`) is what is running this test.
    runs = [c for c in commands if c.endswith("make run")]
    assert runs, "the quick start has no make run"
    port = _free_port()
    log_path = tmp_path / "make-run.log"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(["bash", "-c", f"PORT={port} {runs[-1]}"], cwd=clone, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        page = None
        while time.monotonic() < deadline and page is None:
            assert server.poll() is None, log_path.read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/q/demo", timeout=5) as answer:
                    page = answer.read().decode()
            except OSError:
                time.sleep(0.5)
        assert page is not None and "<form" in page, log_path.read_text(encoding="utf-8")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    printed = [log_path.read_text(encoding="utf-8")]
    output = "".join(printed)
    assert "Traceback" not in output, output
    assert f"http://127.0.0.1:{port}/q/demo" in output

    # In development the public address (QR codes, posters, emails) follows make run's port.
    base = _run(".venv/bin/python -c 'from wsgi import app; print(app.config[\"BASE_URL\"])'", clone, env)
    assert base.stdout.strip() == f"http://127.0.0.1:{port}", base.stdout + base.stderr

    # What make run prints, pasted into a fresh shell.
    printed_commands = [line.split(":", 1)[1].strip() for line in output.splitlines()
                        if line.strip().startswith("Create a user:")]
    assert printed_commands and all(c.startswith(FLASK) for c in printed_commands), output
    for number, command in enumerate(printed_commands):
        command = command.replace("you@example.org", f"printed{number}@example.org")
        result = _run(command, clone, env, stdin="a long password\na long password\n")
        assert result.returncode == 0, result.stdout + result.stderr

    # Every .venv/bin/flask example in the README (those without placeholders) ...
    examples = re.findall(r"`(\.venv/bin/flask --app wsgi [^`]+)`", README)
    examples += [line.strip() for block in re.findall(r"```sh\n(.*?)```", README, re.S)
                 for line in block.splitlines() if line.strip().startswith(FLASK)]
    concrete = [e for e in examples
                if not any(re.fullmatch(r"[A-Z]+|.*[|\[\]<>].*|\.\.\.", arg) for arg in shlex.split(e))]
    assert len(concrete) >= 3, examples
    for number, command in enumerate(concrete):
        command = command.replace("you@example.org", f"example{number}@example.org")
        result = _run(command, clone, env, stdin="a long password\na long password\n")
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"

    # ... and every row of the command table, its placeholders filled in.
    table = re.findall(r"^\| `([^`]+)` \|", _section("Command line"), re.M)
    assert len(table) >= 8, table
    with sqlite3.connect(clone / "instance" / "survey.db") as connection:  # the round make run loaded
        [(round_name,)] = connection.execute("SELECT name FROM rounds WHERE status = 'open'").fetchall()
    fill = {"E": "table@example.org", "D": "questionnaires", "NAME": round_name, "R": round_name,
            "G": "citizen", "CODE": "demo"}
    for number, row in enumerate(table):
        row = row.replace("\\|", "|")
        words = re.sub(r"\[[^\]]*\]", "", row).split()  # optional parts left out
        head = []
        while words and not words[0].startswith("-"):
            head.append(words.pop(0))
        if "|" in head[-1]:  # a group of subcommands: each must at least load and explain itself
            for sub in head[-1].split("|"):
                result = _run(f"{FLASK} {' '.join(head[:-1])} {sub} --help", clone, env)
                assert result.returncode == 0 and "Usage:" in result.stdout, (row, result.stderr)
            continue
        filled = []
        for argument in words:
            argument = argument.split("|")[0]
            if argument == "FILE":
                argument = str(tmp_path / f"out{number}.{'csv' if 'csv' in row else 'bak'}")
            elif re.fullmatch(r"[A-Z]+", argument):
                assert argument in fill, f"README placeholder {argument} in {row!r} is not known to this test"
                argument = fill[argument]
            filled.append(shlex.quote(argument))
        command = f"{FLASK} {' '.join(head)} {' '.join(filled)}"
        result = _run(command, clone, env, stdin="a long password\na long password\n")
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"


def test_a_server_started_without_settings_stays_production(fresh):
    """The checkout's development choice never reaches gunicorn: a weak key is refused in one line."""
    clone, env = fresh
    (clone / "instance").mkdir(exist_ok=True)
    (clone / "instance" / "settings.env").write_text("SURVEY_ENV=development\n")
    result = _run(f"timeout 60 .venv/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:{_free_port()} wsgi:app",
                  clone, env)
    assert result.returncode != 0
    assert "Configuration error: SURVEY_SECRET_KEY" in result.stderr, result.stderr


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("POSIX shells only")
