"""Uploads in the dashboards: a sandbox for the files a scenario may name, size
limits, and an upload button that checks sizes in the browser.

A dashboard's server is shared, so an uploaded scenario must not reach the
server's files. :class:`UploadSandbox` is the file access that
:func:`planner.scenario.load_scenario` uses for an upload: a scenario may name
(``extends``, ``inventory``) only files uploaded with it and the built-in
examples, by bare name, and (``tables``) only the shipped table set. Anything
else (an absolute path, ``..``, a folder, a symlink) is refused with one line
that names the key and quotes at most the value, shortened; the sandbox never
looks at the server's file system for it, so the message is the same whether
such a file exists or not. The command line, on the user's own machine, keeps
reading local paths (:class:`planner.scenario.LocalFiles`).

* :func:`read_uploaded_scenario`, :func:`read_uploaded_inventory`: uploads to a
  Scenario or an inventory, or a :class:`~planner.scenario.ScenarioError`;
  :func:`read_uploaded_actuals`: an import's ``actuals.csv`` to a table
  (:func:`planner.imports.backtest.read_actuals`).
* :class:`Upload`: an upload button (same ``value`` as ``ipywidgets.FileUpload``)
  that refuses a file above its limit in the browser, with a message, before
  sending it.
* Limits: :data:`SCENARIO_LIMIT`, :data:`INVENTORY_LIMIT`, :data:`ACTUALS_LIMIT` [bytes],
  :data:`INVENTORY_ROWS` [hosts].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import anywidget
import pandas as pd
import traitlets

from planner.scenario import Opened, Scenario, ScenarioError, examples_folder, load_scenario, read_inventory
from planner.tableset import TableSet, default_tables

__all__ = [
    "SCENARIO_LIMIT", "INVENTORY_LIMIT", "INVENTORY_ROWS", "TABLE_SETS", "UploadSandbox", "Upload",
    "scenario_upload", "inventory_upload", "uploaded_files", "read_uploaded_scenario", "read_uploaded_inventory",
    "ACTUALS_LIMIT", "actuals_upload", "read_uploaded_actuals",
]

#: Largest scenario file [bytes] (5 MB; the built-in estate is about 2 kB).
SCENARIO_LIMIT = 5_000_000
#: Largest inventory file [bytes] (50 MB, about 1.5 million short CSV rows).
INVENTORY_LIMIT = 50_000_000
#: Most hosts in an uploaded inventory [rows].
INVENTORY_ROWS = 1_000_000
#: Largest actuals file [bytes] (20 MB; a year of a large estate's actuals.csv is a few MB).
ACTUALS_LIMIT = 20_000_000
#: Shipped table sets an uploaded scenario may name in ``tables:``.
TABLE_SETS = ("default", "planner.tables")

_SCENARIO_SUFFIXES = (".yaml", ".yml")
_INVENTORY_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _shorten(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _bare(ref: Any) -> bool:
    """A file name without any folder part, as an upload is named."""
    return (isinstance(ref, str) and ref == ref.strip() and ref not in ("", ".", "..")
            and not any(c in ref for c in "/\\:\0") and not ref.startswith("~")
            and PurePosixPath(ref).name == ref)


class UploadSandbox:
    """The files an uploaded scenario may name: those uploaded with it, then the
    built-in examples (``estate.yaml``, ``inventory.csv``, ...), by bare name.

    The file access of :func:`planner.scenario.load_scenario` for uploads (see
    :class:`planner.scenario.LocalFiles` for the methods). Messages quote at
    most the value a scenario gave, shortened, and never anything of a file
    outside the sandbox.

    Parameters
    ----------
    uploads : mapping of str to bytes
        Uploaded file name -> content.
    """

    def __init__(self, uploads: Mapping[str, bytes] = ()):
        self.uploads = dict(uploads)

    def _refused(self, ref: Any, what: str) -> ScenarioError:
        return ScenarioError(f"{_shorten(ref)!r} is not allowed in an uploaded scenario: name {what} by "
                             "its bare name (no folders or paths)")

    def _content(self, ref: Any, suffixes: tuple[str, ...], kind: str, what: str,
                 limit: int) -> tuple[str, bytes, str]:
        """(name, content, where from) of a bare name among the uploads and the examples."""
        if not _bare(ref):
            raise self._refused(ref, what)
        if not ref.lower().endswith(suffixes):
            raise ScenarioError(f"{_shorten(ref)!r}: not a {'/'.join(suffixes)} file")
        if ref in self.uploads:
            content, origin = bytes(self.uploads[ref]), "upload"
        else:
            folder = examples_folder()
            path = folder / ref
            # a built-in file, not a link out of the package
            if not (path.is_file() and not path.is_symlink() and path.resolve().parent == folder.resolve()):
                raise ScenarioError(f"{ref}: not uploaded and not a built-in example: no such {kind} file")
            content, origin = path.read_bytes(), "example"
        if len(content) > limit:
            raise ScenarioError(f"{ref}: {_megabytes(len(content))} is too large (at most {_megabytes(limit)})")
        return ref, content, origin

    def scenario(self, ref: Any) -> Opened:
        """An uploaded or built-in scenario file."""
        name, content, origin = self._content(ref, _SCENARIO_SUFFIXES, "scenario",
                                              "a scenario uploaded with it or a built-in example",
                                              SCENARIO_LIMIT)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        return Opened(name, text, (origin, name), self)

    def inventory(self, ref: Any) -> pd.DataFrame:
        """An uploaded or built-in inventory (at most :data:`INVENTORY_ROWS` hosts)."""
        name, content, _ = self._content(ref, _INVENTORY_SUFFIXES, "inventory",
                                         "an inventory uploaded with it or the built-in inventory.csv",
                                         INVENTORY_LIMIT)
        return read_inventory(content, name=name, max_rows=INVENTORY_ROWS)

    def tables(self, ref: Any) -> TableSet:
        """The shipped table set (``default``); no other folder."""
        if ref not in TABLE_SETS:
            raise ScenarioError(f"{_shorten(ref)!r} is not allowed in an uploaded scenario: only the shipped "
                                "table set (tables: default, or leave tables out)")
        return default_tables()


# --- reading uploads ------------------------------------------------------------------

def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each file of a ``FileUpload.value`` (or :class:`Upload`'s)."""
    return [(str(item["name"]), bytes(item["content"])) for item in (value or ())]


def _safe_name(name: str) -> str:
    base = PurePosixPath(str(name).replace("\\", "/")).name
    if not base or base in (".", ".."):
        raise ScenarioError(f"{_shorten(name)!r}: not a file name")
    return base


def _check_size(name: str, content: bytes, limit: int, what: str) -> None:
    if len(content) > limit:
        raise ScenarioError(f"{name}: {_megabytes(len(content))} is too large for {what} "
                            f"(at most {_megabytes(limit)})")


def read_uploaded_scenario(name: str, content: bytes,
                           extra_files: Iterable[tuple[str, bytes]] = ()) -> Scenario:
    """Load an uploaded scenario YAML inside an :class:`UploadSandbox`.

    The scenario may name ``extra_files`` (inventories, or scenarios it
    extends, uploaded with it) and the built-in examples (``extends:
    estate.yaml``) by bare name. Error messages name the uploaded file.

    Raises
    ------
    ScenarioError
        With the file, line and key path of the problem.
    """
    name = _safe_name(name)
    if not name.lower().endswith(_SCENARIO_SUFFIXES):
        raise ScenarioError(f"{name}: a scenario is a .yaml or .yml file")
    _check_size(name, content, SCENARIO_LIMIT, "a scenario")
    uploads = {_safe_name(extra): bytes(data) for extra, data in extra_files}
    uploads[name] = bytes(content)
    return load_scenario(name, files=UploadSandbox(uploads))


def read_uploaded_inventory(name: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded host inventory (CSV or XLSX, at most :data:`INVENTORY_LIMIT`
    bytes and :data:`INVENTORY_ROWS` hosts) with :func:`planner.scenario.read_inventory`.

    Raises
    ------
    ScenarioError
        Naming the file, row and column.
    """
    name = _safe_name(name)
    _check_size(name, content, INVENTORY_LIMIT, "an inventory")
    return read_inventory(bytes(content), name=name, max_rows=INVENTORY_ROWS)


def read_uploaded_actuals(name: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded ``actuals.csv`` of ``planner import`` (at most
    :data:`ACTUALS_LIMIT` bytes) with :func:`planner.imports.backtest.read_actuals`.

    Raises
    ------
    ValueError
        Naming the file, row and column (and the allowed units).
    """
    from planner.imports.backtest import read_actuals
    name = _safe_name(name)
    if not name.lower().endswith(".csv"):
        raise ScenarioError(f"{name}: actuals are a .csv file (the actuals.csv that planner import writes)")
    _check_size(name, content, ACTUALS_LIMIT, "actuals")
    actuals = read_actuals(bytes(content), name=name)
    if actuals.empty:
        raise ScenarioError(f"{name}: no rows of actuals (month, unit, capability, driver, value)")
    return actuals


# --- the upload button -----------------------------------------------------------------

class Upload(anywidget.AnyWidget):
    """An upload button that refuses, in the browser, a file above its limit.

    ``value`` has the shape of ``ipywidgets.FileUpload.value`` (a tuple of
    ``{"name", "size", "type", "content"}``), so :func:`uploaded_files` reads
    both. A file above the limit is not sent: the button shows why next to
    itself and sets ``error`` (a page shows it in its message line). Without
    this check a file above the server's websocket message limit (tornado's
    ``websocket_max_message_size``, 10 MiB by default; see
    https://www.tornadoweb.org/en/stable/websocket.html, "max_message_size")
    closes the page's connection without a word and the page reconnects.

    Parameters
    ----------
    accept : str
        File types, as ``FileUpload``'s ``accept`` (``".csv,.xlsx"``).
    limits : mapping of str to int
        Suffix (``".yaml"``) -> largest size [bytes]; others get ``default_limit``.
    """

    _esm = resources.files("planner.ui.kit").joinpath("upload.js").read_text(encoding="utf-8")
    accept = traitlets.Unicode("").tag(sync=True)
    multiple = traitlets.Bool(False).tag(sync=True)
    description = traitlets.Unicode("Upload").tag(sync=True)
    limits = traitlets.Dict().tag(sync=True)
    default_limit = traitlets.Int(INVENTORY_LIMIT).tag(sync=True)
    value = traitlets.Tuple()
    error = traitlets.Unicode("")

    def __init__(self, *, accept: str = "", multiple: bool = False, description: str = "Upload",
                 limits: Mapping[str, int] | None = None, default_limit: int = INVENTORY_LIMIT, **kwargs: Any):
        super().__init__(accept=accept, multiple=multiple, description=description,
                         limits=dict(limits or {}), default_limit=default_limit, **kwargs)
        self.on_msg(self._received)

    def limit_of(self, name: str) -> int:
        """Largest size [bytes] of a file called ``name``."""
        return int(self.limits.get(PurePosixPath(name).suffix.lower(), self.default_limit))

    def _received(self, _: Any, content: dict[str, Any], buffers: list[Any]) -> None:
        if content.get("event") == "too_large":
            self.error = ""
            self.error = "; ".join(
                f"{_shorten(f.get('name'))}: {_megabytes(int(f.get('size', 0)))} is too large "
                f"(at most {_megabytes(self.limit_of(str(f.get('name'))))}); nothing was uploaded"
                for f in content.get("files", ()))
        elif content.get("event") == "files":
            files = content.get("files", ())
            self.value = tuple({"name": str(f.get("name")), "size": int(f.get("size", 0)),
                                "type": str(f.get("type", "")), "content": memoryview(buffer)}
                               for f, buffer in zip(files, buffers))


def scenario_upload(description: str = "Scenario YAML") -> Upload:
    """An :class:`Upload` for one scenario file (at most :data:`SCENARIO_LIMIT`)."""
    return Upload(accept=".yaml,.yml", description=description,
                  limits={".yaml": SCENARIO_LIMIT, ".yml": SCENARIO_LIMIT}, default_limit=SCENARIO_LIMIT)


def inventory_upload(description: str = "Inventory", multiple: bool = False) -> Upload:
    """An :class:`Upload` for inventories (at most :data:`INVENTORY_LIMIT` each)."""
    return Upload(accept=".csv,.xlsx", description=description, multiple=multiple,
                  default_limit=INVENTORY_LIMIT)


def actuals_upload(description: str = "Actuals CSV") -> Upload:
    """An :class:`Upload` for one ``actuals.csv`` (at most :data:`ACTUALS_LIMIT`)."""
    return Upload(accept=".csv", description=description, default_limit=ACTUALS_LIMIT)
