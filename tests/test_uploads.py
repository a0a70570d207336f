"""Uploads in the dashboards: the sandbox (an uploaded scenario reaches only
files uploaded with it and the built-in examples and table set), size limits,
and the upload button that refuses a file above its limit in the browser.

Every refused case is checked against a "secret" server file with a
distinctive header and value: the message names the key, quotes at most the
value given (shortened) and holds nothing of the file, and it is the same
whether the file exists or not."""

import json
import os
from importlib import resources
from pathlib import Path

import pytest

from planner.scenario import ScenarioError, load_scenario
from planner.tableset import export_tables
from planner.ui.kit import uploads
from planner.ui.pages import overview
from planner.ui.kit.uploads import (
    INVENTORY_LIMIT, INVENTORY_ROWS, SCENARIO_LIMIT, Upload, UploadSandbox, inventory_upload,
    read_uploaded_inventory, read_uploaded_scenario, scenario_upload, uploaded_files,
)

REPO = Path(__file__).resolve().parent.parent
SECRET_WORDS = ("apikey", "owner", "SECRET", "sk-live", "host,ram_gib", "no such folder")
CONTRACT = "contract: {start: 2027-01-01}\n"


@pytest.fixture()
def secret(tmp_path):
    """Server files an upload must never reach: an inventory with the right
    columns (it would be planned), a valid scenario and a valid table set."""
    folder = tmp_path / "srv" / "share"
    folder.mkdir(parents=True)
    (folder / "secret.csv").write_text("apikey,owner\nsk-live-SECRET-VALUE-123,alice\n")
    (folder / "hosts.csv").write_text("host,ram_gib,mode\nSECRET-HOST-789,16,fullstack\n")
    (folder / "secret.yaml").write_text("name: SECRET-NAME-456\n" + CONTRACT + "rum:\n  - {name: SECRET-APP, "
                                        "sessions_per_month: 1}\n")
    export_tables(folder / "tables")
    return folder


def refused(content: str, *extra: tuple[str, bytes]) -> str:
    """The message of an upload ``up.yaml`` that must be refused."""
    with pytest.raises(ScenarioError) as caught:
        read_uploaded_scenario("up.yaml", content.encode(), list(extra))
    text = str(caught.value)
    assert "\n" not in text, "one line"
    for word in SECRET_WORDS:
        assert word not in text, f"{word!r} leaked: {text}"
    return text


def relative_to_cwd(path: Path) -> str:
    """``path`` as ../../.. from the working directory, as the issue's upload wrote it."""
    return "../" * len(Path.cwd().parts) + str(path).lstrip("/")


SANDBOX = "is not allowed in an uploaded scenario: name"


@pytest.mark.parametrize("file", ["secret.csv", "hosts.csv", "missing.csv"])
def test_an_absolute_inventory_is_refused(secret, file):
    ref = str(secret / file)
    text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: {ref}}}\n")
    assert text == (f"up.yaml, line 4, hosts[0].inventory: {uploads._shorten(ref)!r} {SANDBOX} an inventory "
                    "uploaded with it or the built-in inventory.csv by its bare name (no folders or paths)")


@pytest.mark.parametrize("file", ["secret.csv", "hosts.csv", "missing.csv"])
def test_a_relative_inventory_out_of_the_upload_is_refused(secret, file):
    ref = relative_to_cwd(secret / file)
    assert (Path.cwd() / ref).exists() == (file != "missing.csv")       # it does reach the file
    text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: {ref}}}\n")
    assert text.startswith(f"up.yaml, line 4, hosts[0].inventory: {uploads._shorten(ref)!r} {SANDBOX}")
    for ref in ("./hosts.csv", "sub/hosts.csv", "..", "~/hosts.csv", "C:\\hosts.csv"):
        text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: '{ref}'}}\n",
                       ("hosts.csv", b"host,ram_gib,mode\na,4,fullstack\n"))
        assert SANDBOX in text and "hosts[0].inventory" in text


@pytest.mark.parametrize("ref", ["ABS", "../secret.yaml", "REL", "ABS-MISSING"])
def test_extends_out_of_the_upload_is_refused(secret, ref):
    ref = {"ABS": str(secret / "secret.yaml"), "REL": relative_to_cwd(secret / "secret.yaml"),
           "ABS-MISSING": str(secret / "nothere.yaml")}.get(ref, ref)
    text = refused(f"extends: {ref}\nname: mine\n")
    assert text == (f"up.yaml, line 1, extends: {uploads._shorten(ref)!r} {SANDBOX} a scenario uploaded with it "
                    "or a built-in example by its bare name (no folders or paths)")


def test_an_extends_error_names_the_extended_file(secret):
    base = f"name: base\nextends: {secret / 'secret.yaml'}\n".encode()
    text = refused("extends: base.yaml\nname: mine\n", ("base.yaml", base))
    assert text.startswith(f"base.yaml, line 2, extends: {uploads._shorten(secret / 'secret.yaml')!r} {SANDBOX}")
    # a bad key in the extended upload is reported in that file, at its line
    base = f"name: base\n{CONTRACT}hosts:\n  - {{name: h, inventory: {secret / 'hosts.csv'}}}\n".encode()
    text = refused("extends: base.yaml\nname: mine\n", ("base.yaml", base))
    assert text.startswith(f"base.yaml, line 4, hosts[0].inventory: {uploads._shorten(secret / 'hosts.csv')!r}")
    base = b"name: base\n" + CONTRACT.encode() + b"hosts:\n  - {name: h, count: 1, ram_gib: big}\n"
    assert refused("extends: base.yaml\nname: mine\n", ("base.yaml", base)) == (
        "base.yaml, line 4, hosts[0].ram_gib: must be a number > 0 [GiB]; got 'big'")
    loop = refused("extends: base.yaml\n", ("base.yaml", b"extends: up.yaml\n"))
    assert loop == "base.yaml, line 1, extends: 'up.yaml' goes round in a circle"


@pytest.mark.parametrize("ref", ["ABS", "REL", "ABS-MISSING", "mytables", ".", "/etc"])
def test_tables_out_of_the_shipped_set_are_refused(secret, ref):
    ref = {"ABS": str(secret / "tables"), "REL": relative_to_cwd(secret / "tables"),
           "ABS-MISSING": str(secret / "nothere")}.get(ref, ref)
    text = refused(f"name: x\ntables: '{ref}'\n{CONTRACT}rum:\n  - {{name: s, sessions_per_month: 1}}\n")
    assert text == (f"up.yaml, line 2, tables: {uploads._shorten(ref)!r} is not allowed in an uploaded scenario: "
                    "only the shipped table set (tables: default, or leave tables out)")


def test_the_message_is_the_same_for_an_existing_and_a_missing_file(secret):
    for key, existing, missing in (("inventory", "hosts.csv", "hostz.csv"), ("extends", "secret.yaml", "secreX.yaml"),
                                   ("tables", "tables", "tablez")):
        texts = []
        for file in (existing, missing):
            ref = str(secret / file)
            content = {"inventory": f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: {ref}}}\n",
                       "extends": f"extends: {ref}\n",
                       "tables": f"tables: {ref}\n{CONTRACT}rum:\n  - {{name: s, sessions_per_month: 1}}\n"}[key]
            texts.append(refused(content).replace(uploads._shorten(ref), "VALUE"))
        assert texts[0] == texts[1], key


def test_a_symlink_is_not_followed(secret, tmp_path, monkeypatch):
    # a link among the built-in examples pointing out of the package
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "inventory.csv").symlink_to(secret / "hosts.csv")
    (examples / "estate.yaml").symlink_to(secret / "secret.yaml")
    monkeypatch.setattr(uploads, "examples_folder", lambda: examples)
    text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: inventory.csv}}\n")
    assert text == ("up.yaml, line 4, hosts[0].inventory: inventory.csv: not uploaded and not a built-in example: "
                    "no such inventory file")
    assert refused("extends: estate.yaml\n") == (
        "up.yaml, line 1, extends: estate.yaml: not uploaded and not a built-in example: no such scenario file")
    # a link next to the server's working directory is no upload either
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.csv").symlink_to(secret / "hosts.csv")
    text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: link.csv}}\n")
    assert text.endswith("link.csv: not uploaded and not a built-in example: no such inventory file")


def test_a_long_value_is_quoted_shortened(secret):
    ref = "../" * 100 + "etc/passwd"
    text = refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: {ref}}}\n")
    assert f"'{'../' * 19}..\u2026'" in text and "passwd" not in text and len(text) < 250


def test_oversized_uploads_say_so():
    big = b"name: x\n" + b"#" * SCENARIO_LIMIT
    assert refused_upload(lambda: read_uploaded_scenario("big.yaml", big)) == (
        "big.yaml: 5.0 MB is too large for a scenario (at most 5.0 MB)")
    # an extended upload is measured too
    assert refused("extends: base.yaml\n", ("base.yaml", big)) == (
        "up.yaml, line 1, extends: base.yaml: 5.0 MB is too large (at most 5.0 MB)")
    huge = b"host,ram_gib,mode\n" + b"#" * INVENTORY_LIMIT
    assert refused_upload(lambda: read_uploaded_inventory("big.csv", huge)) == (
        "big.csv: 50.0 MB is too large for an inventory (at most 50.0 MB)")
    assert refused(f"name: x\n{CONTRACT}hosts:\n  - {{name: h, inventory: big.csv}}\n", ("big.csv", huge)) == (
        "up.yaml, line 4, hosts[0].inventory: big.csv: 50.0 MB is too large (at most 50.0 MB)")


def test_an_inventory_of_more_than_a_million_hosts_is_refused():
    rows = b"".join(b"h%d,4,fullstack\n" % i for i in range(INVENTORY_ROWS + 1))
    content = b"host,ram_gib,mode\n" + rows                 # about 19 MB: under the size limit
    assert len(content) < INVENTORY_LIMIT
    assert refused_upload(lambda: read_uploaded_inventory("many.csv", content)) == (
        "many.csv: more than 1,000,000 hosts; an inventory here may have at most 1,000,000 rows")
    frame = read_uploaded_inventory("many.csv", content[:content.rindex(b"h1000000,")])
    assert len(frame) == INVENTORY_ROWS


def refused_upload(call) -> str:
    with pytest.raises(ScenarioError) as caught:
        call()
    return str(caught.value)


# --- what an upload may name ----------------------------------------------------------

def test_built_in_examples_inventory_and_table_set_by_bare_name():
    scenario = read_uploaded_scenario("mine.yaml", b"extends: estate.yaml\nname: Mine\ntables: default\n"
                                                   b"hosts:\n  - {name: h, inventory: inventory.csv}\n")
    assert scenario.name == "Mine" and len(scenario.drivers["h"].inventory) == 12
    assert scenario.tables.path == "planner.tables"
    assert load_scenario("fullstack_move.yaml", files=UploadSandbox()).name == \
        load_scenario("fullstack_move").name


def test_uploads_name_each_other():
    base = b"name: base\n" + CONTRACT.encode() + b"hosts:\n  - {name: mine, inventory: hosts.csv}\n"
    scenario = read_uploaded_scenario("top.yaml", b"extends: base.yaml\nname: top\n", [
        ("base.yaml", base), ("hosts.csv", b"host,ram_gib,mode,owner\na,16,fullstack,x\nb,32,infrastructure,y\n")])
    inventory = scenario.drivers["mine"].inventory
    assert inventory["ram_gib"].tolist() == [16.0, 32.0] and inventory["owner"].tolist() == ["x", "y"]


def test_no_temporary_folder_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    read_uploaded_scenario("mine.yaml", b"extends: estate.yaml\n")
    read_uploaded_inventory("x.csv", b"host,ram_gib,mode\na,4,fullstack\n")
    assert list(tmp_path.iterdir()) == []


# --- moved from test_ui: upload errors name the file ------------------------------------

GOOD_YAML = b"""extends: estate.yaml
name: Mine
changes:
  - date: 2027-03-01
    move_hosts: {from: app, count: 100, mode: fullstack}
"""


def test_upload_scenario_extends_the_built_in_example():
    scenario = read_uploaded_scenario("mine.yaml", GOOD_YAML)
    assert scenario.name == "Mine"
    assert "app" in scenario.drivers and len(scenario.changes) == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.yaml", b"name: [x\n", "bad.yaml, line 2: not valid YAML"),
    ("bad.yaml", b"name: x\ncontract: {start: 2027-01-01}\nhosts:\n  - name: a\n    count: 3\n    ram_gib: big\n",
     "bad.yaml, line 6, hosts[0].ram_gib: must be a number > 0 [GiB]; got 'big'"),
    ("inv.yaml", b"name: x\ncontract: {start: 2027-01-01}\nhosts:\n  - {name: a, inventory: hosts.csv}\n",
     "inv.yaml, line 4, hosts[0].inventory: hosts.csv: not uploaded and not a built-in example: "
     "no such inventory file"),
    ("bad.yaml", b"\xff\xfe\x00", "bad.yaml: not UTF-8 text"),
    ("scenario.txt", b"name: x\n", "scenario.txt: a scenario is a .yaml or .yml file"),
    ("empty.yaml", b"", "empty.yaml: the scenario is empty"),
    ("../../x/up.yaml", b"", "up.yaml: the scenario is empty"),
])
def test_upload_scenario_errors_name_the_file_not_the_folder(name, content, message):
    with pytest.raises(ScenarioError) as caught:
        read_uploaded_scenario(name, content)
    text = str(caught.value)
    assert text.startswith(message)
    assert "planner-upload-" not in text and "/tmp" not in text and "/planner/examples" not in text


def test_upload_inventory():
    frame = read_uploaded_inventory("x.csv", b"host,ram_gib,mode\nweb-01,16,fullstack\n")
    assert frame.to_dict("records")[0]["ram_gib"] == 16.0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("x.csv", b"host,ram,mode\na,3,fullstack\n", "x.csv: missing column(s) 'ram_gib' (is 'ram' meant?)"),
    ("x.csv", b"host,ram_gib,mode\na,0,fullstack\n", "x.csv: row 2, column 'ram_gib': '0' is not a number > 0"),
    ("x.csv", b"host,ram_gib,mode\na,3,turbo\n", "x.csv: row 2, column 'mode': 'turbo' is not one of"),
    ("x.xlsx", b"not a workbook", "x.xlsx: the file is not an Excel workbook"),
    ("x.json", b"{}", "x.json: unsupported file type '.json'"),
    ("../../etc/x.csv", b"host,ram_gib,mode\n", "x.csv: the inventory has no hosts"),
])
def test_upload_inventory_errors(name, content, message):
    with pytest.raises(ScenarioError) as caught:
        read_uploaded_inventory(name, content)
    assert str(caught.value).startswith(message)


# --- the upload button ---------------------------------------------------------------------

def test_upload_button_reads_files_like_file_upload():
    button = inventory_upload(multiple=True)
    button._received(button, {"event": "files", "files": [{"name": "a.csv", "size": 3, "type": "text/csv"},
                                                          {"name": "b.csv", "size": 2}]}, [b"abc", b"de"])
    assert uploaded_files(button.value) == [("a.csv", b"abc"), ("b.csv", b"de")]
    assert button.error == ""


def test_upload_button_limits():
    assert scenario_upload().limit_of("x.yaml") == SCENARIO_LIMIT == 5_000_000
    assert inventory_upload().limit_of("x.csv") == INVENTORY_LIMIT == 50_000_000
    assert (scenario_upload().accept, inventory_upload().accept) == (".yaml,.yml", ".csv,.xlsx")
    js = resources.files("planner.ui.kit").joinpath("upload.js").read_text()
    assert "f.size > limitOf(model, f.name)" in js          # checked before anything is sent


def test_a_file_above_the_limit_is_reported_on_the_page(example):
    page = overview.dashboard(example)
    button = page.find("ctl-upload-inventory")
    assert isinstance(button, Upload)
    button._received(button, {"event": "too_large", "files": [{"name": "big.csv", "size": 20_000_000}]}, [])
    assert page.messages.text == "big.csv: 20.0 MB is too large (at most 50.0 MB); nothing was uploaded"
    scenario = page.find("ctl-upload-scenario")
    scenario._received(scenario, {"event": "too_large", "files": [{"name": "big.yaml", "size": 20_000_000}]}, [])
    assert page.messages.text == "big.yaml: 20.0 MB is too large (at most 5.0 MB); nothing was uploaded"


def test_the_hosts_page_reports_a_file_above_the_limit():
    from planner.ui.pages import hosts
    page = hosts.dashboard(load_scenario(), group="web")
    button = page.find("ctl-upload-inventory")
    button._received(button, {"event": "too_large", "files": [{"name": "big.xlsx", "size": 75_300_000}]}, [])
    assert page.messages.text == "big.xlsx: 75.3 MB is too large (at most 50.0 MB); nothing was uploaded"
    button._received(button, {"event": "files", "files": [{"name": "ok.csv", "size": 40}]},
                     [b"host,ram_gib,mode,rack\na,64,infrastructure,r1\n"])
    assert page.messages.text == ""
    assert page.find("table-inventory-totals").frame["Host units"].tolist() == ["1.000 HU", "1.000 HU"]


def test_the_server_accepts_websocket_messages_of_an_inventory_upload():
    """tornado closes a websocket whose message is above ``websocket_max_message_size``
    (10 MiB by default), so Voila must allow an inventory of 50 MB plus framing."""
    config = json.loads((REPO / "voila.json").read_text())
    limit = config["Voila"]["tornado_settings"]["websocket_max_message_size"]
    assert INVENTORY_LIMIT < limit <= 2 * INVENTORY_LIMIT


@pytest.fixture()
def example():
    from planner.engine import forecast
    return forecast(None)
