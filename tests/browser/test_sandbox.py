"""Uploads on the overview page in Chromium: the upload sandbox holds.

Each malicious scenario of issue 13 (an inventory, ``extends`` or ``tables``
given as an absolute path or as ``../``, pointing at "secret" server files with
a distinctive header and values, some existing, some not) is uploaded through
the page's own upload button. The page must show one refusal that names the
key, and nothing of the secret files may reach the page (its text or its
HTML). A file above its size limit gets a message instead of a silent
websocket reconnect; an upload of 20 MB travels over the websocket (tornado's
default limit is 10 MiB) and gets Python's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import voila_page as vp

pytestmark = pytest.mark.browser

SECRETS = ("apikey", "owner", "sk-live", "SECRET-VALUE-123", "SECRET-HOST-789", "SECRET-NAME-456", "SECRET-APP")
CONTRACT = "contract: {start: 2027-01-01}\n"
REFUSED = "is not allowed in an uploaded scenario"


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from planner.tableset import export_tables
    folder = tmp_path_factory.mktemp("srv") / "share"
    folder.mkdir()
    (folder / "secret.csv").write_text("apikey,owner\nsk-live-SECRET-VALUE-123,alice\n")
    (folder / "hosts.csv").write_text("host,ram_gib,mode\nSECRET-HOST-789,16,fullstack\n")
    (folder / "secret.yaml").write_text("name: SECRET-NAME-456\n" + CONTRACT
                                        + "rum:\n  - {name: SECRET-APP, sessions_per_month: 1}\n")
    export_tables(folder / "tables")
    return folder


def _climb(path: Path, server_cwd: Path) -> str:
    """``path`` written as ../../.. from the Voila server's working directory."""
    return "../" * len(server_cwd.parts) + str(path).lstrip("/")


def _cases(secret: Path, cwd: Path) -> list[tuple[str, str, str]]:
    """(what, YAML, key path the refusal must name)."""
    def hosts(ref: Any) -> str:
        return "name: x\n" + CONTRACT + f"hosts:\n  - {{name: h, inventory: '{ref}'}}\n"

    rum = CONTRACT + "rum:\n  - {name: s, sessions_per_month: 1}\n"
    return [
        ("inventory ../ (the issue's upload)", hosts(_climb(secret / "secret.csv", cwd)), "hosts[0].inventory"),
        ("inventory ../ with the right columns", hosts(_climb(secret / "hosts.csv", cwd)), "hosts[0].inventory"),
        ("inventory absolute", hosts(secret / "hosts.csv"), "hosts[0].inventory"),
        ("inventory absolute, missing", hosts(secret / "nothere.csv"), "hosts[0].inventory"),
        ("inventory /etc/passwd", hosts("/etc/passwd"), "hosts[0].inventory"),
        ("extends absolute", f"extends: {secret / 'secret.yaml'}\nname: mine\n", "extends"),
        ("extends ../", f"extends: {_climb(secret / 'secret.yaml', cwd)}\n", "extends"),
        ("extends absolute, missing", f"extends: {secret / 'nothere.yaml'}\n", "extends"),
        ("tables absolute", f"tables: {secret / 'tables'}\n" + rum, "tables"),
        ("tables ../", f"tables: {_climb(secret / 'tables', cwd)}\n" + rum, "tables"),
        ("tables absolute, missing", f"tables: {secret / 'nothere'}\n" + rum, "tables"),
    ]


def _message(page: Any) -> str:
    return " ".join(page.locator(".planner-error").first.inner_text().split())


def _upload(page: Any, control: str, path: Path, expect: str, timeout: float = 60.0) -> str:
    """Upload ``path`` with the page's button ``.ctl-<control>`` and wait for a
    message containing ``expect``; return the message."""
    page.locator(f".ctl-{control} input[type=file]").set_input_files(str(path))
    ok = vp.wait_for(lambda: expect in _message(page), timeout=timeout, interval=0.2)
    assert ok, f"no message with {expect!r} after uploading {path.name}; the page shows {_message(page)!r}"
    return _message(page)


def _assert_no_secrets(page: Any, what: str) -> None:
    text = page.evaluate("() => document.body.innerText")
    html = page.content()
    for word in SECRETS:
        assert word not in text and word not in html, f"{what}: {word!r} reached the page"


def test_uploads_cannot_reach_server_files(page: Any, voila_server: Any, secret: Path, tmp_path: Path) -> None:
    vp.open_dashboard(page, voila_server.base_url, "overview")
    cases = _cases(secret, Path(voila_server.cwd).resolve())
    for i, (what, text, key) in enumerate(cases):
        upload = tmp_path / f"up-{i}.yaml"
        upload.write_text(text)
        message = _upload(page, "upload-scenario", upload, f"up-{i}.yaml")
        assert f"up-{i}.yaml, line " in message and f", {key}: " in message and REFUSED in message, (what, message)
        assert "\n" not in message and len(message) < 300, (what, message)
        _assert_no_secrets(page, what)
    # a clean upload still works in the same page
    good = tmp_path / "good.yaml"
    good.write_text("extends: estate.yaml\nname: Mine\nhosts:\n  - {name: more, inventory: inventory.csv}\n")
    page.locator(".ctl-upload-scenario input[type=file]").set_input_files(str(good))
    assert vp.wait_for(lambda: page.locator(".note-scenario").inner_text().startswith("Mine:"), timeout=60), \
        _message(page)
    assert _message(page) == ""
    _assert_no_secrets(page, "clean upload")


def test_files_above_the_limit_get_a_message(page: Any, voila_server: Any, tmp_path: Path) -> None:
    vp.open_dashboard(page, voila_server.base_url, "overview")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"name: x\n" + b"#" * 20_000_000)                     # 20 MB: refused in the browser
    assert _upload(page, "upload-scenario", big, "big.yaml") == \
        "big.yaml: 20.0 MB is too large (at most 5.0 MB); nothing was uploaded"
    assert "big.yaml: 20.0 MB is too large (at most 5.0 MB)" in \
        page.locator(".ctl-upload-scenario .planner-upload-status").inner_text()
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as fh:
        fh.truncate(60_000_000)                                          # 60 MB of zeros
    assert _upload(page, "upload-inventory", huge, "huge.csv") == \
        "huge.csv: 60.0 MB is too large (at most 50.0 MB); nothing was uploaded"
    # 20 MB under the inventory limit: sent over the websocket, answered by Python
    many = tmp_path / "many.csv"
    many.write_bytes(b"host,ram_gib,mode\n" + b"".join(b"host-%07d,4,fullstack\n" % i for i in range(1_000_001)))
    assert 20_000_000 < many.stat().st_size < 50_000_000
    assert _upload(page, "upload-inventory", many, "many.csv", timeout=120) == \
        "many.csv: more than 1,000,000 hosts; an inventory here may have at most 1,000,000 rows"
    assert "Cannot connect" not in page.evaluate("() => document.body.innerText")
