"""The user's estate: one scenario per user, on every page, kept in the user's browser.

A user picks a built-in example or uploads files (several at once: scenarios,
the base files their ``extends:`` names, host inventories, an ``actuals.csv``).
The files are kept in the user's browser (IndexedDB of the page's origin, one
record per server base URL, see ``estate.js``), never on the server: each page
of the planner has an :class:`EstateLink` that, when the page has rendered,
sends the stored files to the page's own kernel, which reads them through the
upload sandbox (:class:`planner.ui.kit.uploads.UploadSandbox`: a scenario may name
only files uploaded with it and the built-in examples; size limits) and shows
the page on them. Another user, in another browser, has another store; a
reload sends the same files again. Why this design: ``docs/architecture.md``,
"The user's estate".

* :func:`read_estate`: files and a choice -> :class:`Estate` (pure; a
  :class:`~planner.scenario.ScenarioError` naming the file otherwise).
* :class:`Estate`: the scenarios a page offers (the built-in examples, then the
  uploaded scenario files no other upload extends), the one chosen, the
  actuals.
* :class:`EstateLink`: the widget between the browser's store and a page.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

import anywidget
import pandas as pd
import traitlets

from planner.model import Driver, Scenario
from planner.scenario import (
    EXAMPLES, ScenarioError, example_names, example_path, extends_named, inventories_named, load_scenario,
)
from planner.ui.kit.uploads import (
    ACTUALS_LIMIT, INVENTORY_LIMIT, SCENARIO_LIMIT, Upload, read_uploaded_actuals, read_uploaded_inventory,
    read_uploaded_scenario,
)

__all__ = ["UPLOAD", "ESTATE_LIMIT", "ESTATE_FILES", "Estate", "read_estate", "with_inventories", "Scenarios",
           "EstateLink", "estate_upload"]

#: Key prefix of an uploaded scenario file in a page's scenario menus (``upload:mine.yaml``).
UPLOAD = "upload:"
#: Largest estate [bytes]: every file together, under the server's websocket message limit (64 MiB, voila.json).
ESTATE_LIMIT = 60_000_000
#: Most files in an estate.
ESTATE_FILES = 32

_SCENARIO = (".yaml", ".yml")
_INVENTORY = (".csv", ".xlsx", ".xlsm")


@functools.lru_cache(maxsize=len(EXAMPLES))
def _example(key: str) -> Scenario:
    return load_scenario(example_path(key))


def with_inventories(scenario: Scenario, inventories: Mapping[str, pd.DataFrame]) -> Scenario:
    """A copy of ``scenario`` with one host group per inventory (named after its
    file, defaults from the hosts section of :mod:`planner.sections`)."""
    if not inventories:
        return scenario
    names = set(scenario.drivers)
    from planner.engine.readmodel import host_defaults
    defaults = host_defaults()
    added = []
    for file_name, frame in inventories.items():
        name = stem = file_name.rsplit(".", 1)[0]
        k = 2
        while name in names:
            name, k = f"{stem} ({k})", k + 1
        names.add(name)
        added.append(Driver(name, "hosts", defaults, None, frame))
    return dataclasses.replace(scenario.with_drivers(*added), name=f"{scenario.name} + {', '.join(inventories)}")


@dataclass(frozen=True)
class Estate:
    """What a user chose: a built-in example or one of their uploaded scenarios,
    and the files they uploaded.

    Attributes
    ----------
    choice : str
        A key of :meth:`menu`: an example (``'estate'``) or an uploaded
        scenario file (``'upload:mine.yaml'``).
    files : tuple of (str, bytes)
        Every uploaded file, in upload order.
    uploaded : mapping of str to Scenario
        ``upload:<file>`` -> the scenario, for each uploaded scenario file
        that no other upload ``extends`` (the others are base files).
    inventories : mapping of str to DataFrame
        Uploaded inventories no uploaded scenario names: each becomes a host
        group of its own in the scenario chosen.
    actuals : (str, DataFrame) or None
        An uploaded ``actuals.csv``: compared with an uploaded scenario.
    """

    choice: str = "estate"
    files: tuple[tuple[str, bytes], ...] = ()
    uploaded: Mapping[str, Scenario] = dataclasses.field(default_factory=dict)
    inventories: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=dict, repr=False)
    actuals: tuple[str, pd.DataFrame] | None = dataclasses.field(default=None, repr=False)

    def menu(self) -> list[tuple[str, str]]:
        """(label, key) of every scenario a page offers: the examples, then the uploads."""
        names = example_names()
        return [(names[k], k) for k in EXAMPLES] + [
            (f"Uploaded: {s.name} ({key[len(UPLOAD):]})", key) for key, s in self.uploaded.items()]

    def keys(self) -> list[str]:
        """The keys of :meth:`menu`."""
        return [key for _, key in self.menu()]

    def scenario(self, key: str | None = None) -> Scenario:
        """The scenario of ``key`` (default: the one chosen), with the
        uploaded inventories no scenario names as host groups of their own."""
        key = self.choice if key is None else key
        if key in self.uploaded:
            base = self.uploaded[key]
        elif key in EXAMPLES:
            base = _example(key)
        else:
            raise ValueError(f"scenario {key!r} is not one of {', '.join(self.keys())}")
        return with_inventories(base, self.inventories)

    @property
    def is_upload(self) -> bool:
        """True when the scenario chosen is an uploaded one."""
        return self.choice in self.uploaded

    @property
    def variants(self) -> list[str]:
        """The uploaded scenarios other than the one chosen (keys)."""
        return [k for k in self.uploaded if k != self.choice]

    def compared_actuals(self) -> pd.DataFrame | None:
        """The uploaded actuals, while an uploaded scenario is the choice."""
        return self.actuals[1] if self.actuals is not None and self.is_upload else None

    def label(self) -> str:
        """One line for the page: which scenario, and where the files are."""
        return _label(self.scenario().name, [n for n, _ in self.files])

    def with_files(self, files: Iterable[tuple[str, bytes]], choice: str | None = None) -> "Estate":
        """This estate with ``files`` added (a file of the same name is replaced);
        an uploaded scenario becomes the choice unless ``choice`` is given."""
        merged = dict(self.files)
        new = [(PurePosixPath(str(n).replace("\\", "/")).name, bytes(c)) for n, c in files]
        for name, content in new:
            merged.pop(name, None)
            merged[name] = content
        if choice is None:
            added = [UPLOAD + n for n, _ in new if n.lower().endswith(_SCENARIO)]
            choice = self.choice if not added else added[0]
        return read_estate(list(merged.items()), choice)

    def choose(self, key: str) -> "Estate":
        """This estate with ``key`` chosen."""
        if key not in self.keys():
            raise ValueError(f"scenario {key!r} is not one of {', '.join(self.keys())}")
        return dataclasses.replace(self, choice=key)


def _label(name: str, files: Sequence[str]) -> str:
    if not files:
        return f"Your scenario: {name} (built-in example), on every page of the planner."
    return (f"Your scenario: {name}, on every page of the planner. Your files ({', '.join(files)}) are kept "
            "in this browser only.")


def _kind(name: str, content: bytes) -> str:
    """'scenario', 'inventory' or 'actuals' (a CSV whose header has month, unit and value)."""
    lower = name.lower()
    if lower.endswith(_SCENARIO):
        return "scenario"
    if lower.endswith(".csv"):
        header = {c.strip().strip('"').lower() for c in content[:2000].split(b"\n", 1)[0].decode(
            "utf-8-sig", "replace").split(",")}
        return "actuals" if {"month", "unit", "value"} <= header else "inventory"
    if lower.endswith(_INVENTORY):
        return "inventory"
    raise ScenarioError(f"{name}: not a scenario (.yaml), an inventory (.csv, .xlsx) or actuals (.csv) file")


def _check_files(files: Sequence[tuple[str, bytes]]) -> None:
    if len(files) > ESTATE_FILES:
        raise ScenarioError(f"{len(files)} files: an estate here has at most {ESTATE_FILES}")
    total = sum(len(c) for _, c in files)
    if total > ESTATE_LIMIT:
        raise ScenarioError(f"the files are {total / 1e6:,.1f} MB together; at most {ESTATE_LIMIT / 1e6:,.1f} MB")


def read_estate(files: Sequence[tuple[str, bytes]], choice: str | None = None) -> Estate:
    """Read a user's files into an :class:`Estate`, each scenario inside the
    upload sandbox (it may name the other files and the built-in examples).

    Parameters
    ----------
    files : sequence of (str, bytes)
        File name -> content: scenario YAMLs, inventories (CSV, XLSX), at most
        one ``actuals.csv``.
    choice : str, optional
        The key chosen (see :meth:`Estate.menu`); default the first uploaded
        scenario, else the example estate. A key the files no longer give
        falls back to that default.

    Raises
    ------
    ScenarioError
        Naming the file (and its line and key) that cannot be read.
    """
    files = [(str(n), bytes(c)) for n, c in files]
    _check_files(files)
    kinds = {name: _kind(name, content) for name, content in files}
    yamls = [(n, c) for n, c in files if kinds[n] == "scenario"]
    based = {extends_named(c) for _, c in yamls}
    named = set().union(*(inventories_named(c) for _, c in yamls))
    uploaded = {}
    for name, content in yamls:
        if name in based:
            continue
        others = [(n, c) for n, c in files if n != name and kinds[n] != "actuals"]
        uploaded[UPLOAD + name] = read_uploaded_scenario(name, content, others)
    inventories = {n: read_uploaded_inventory(n, c) for n, c in files
                   if kinds[n] == "inventory" and n not in named}
    actuals = [(n, read_uploaded_actuals(n, c)) for n, c in files if kinds[n] == "actuals"]
    if len(actuals) > 1:
        raise ScenarioError(f"{', '.join(n for n, _ in actuals)}: upload one actuals.csv at a time")
    keys = [*EXAMPLES, *uploaded]
    default = next(iter(uploaded), "estate")
    return Estate(choice if choice in keys else default, tuple(files), uploaded, inventories,
                  actuals[0] if actuals else None)


class Scenarios:
    """The scenarios a page's menus offer: the built-in examples, those a
    notebook gave (by key), and the user's uploads (:meth:`use`).

    Parameters
    ----------
    given : mapping of str to Scenario
        Key -> scenario, shown after the examples (a key of an example replaces it).
    """

    def __init__(self, given: Mapping[str, Scenario] | None = None):
        self.estate = Estate()
        self.given = dict(given or {})

    def use(self, estate: Estate) -> None:
        """The user's estate: its uploads join the menu."""
        self.estate = estate

    def options(self) -> list[tuple[str, str]]:
        """(label, key) of every scenario offered, in menu order."""
        menu = self.estate.menu()
        keys = {k for _, k in menu}
        return menu + [(f"Given: {s.name}", k) for k, s in self.given.items() if k not in keys]

    def keys(self) -> list[str]:
        return [k for _, k in self.options()]

    def name(self, key: str) -> str:
        """The label of ``key`` in the menu."""
        return dict((k, label) for label, k in self.options())[key]

    def scenario(self, key: str) -> Scenario:
        """The scenario of ``key``."""
        return self.given[key] if key in self.given else self.estate.scenario(key)


# --- the widget between the browser's store and a page ------------------------------------------

class EstateLink(anywidget.AnyWidget):
    """The user's estate on a page: the files kept in the user's browser reach
    the page's kernel when the page has rendered (:meth:`on_change` callbacks
    then get the :class:`Estate`); :meth:`keep` stores new files in the
    browser. Shows one line saying which scenario the pages use, once the
    browser has stored it.

    ``estate`` is None until the browser has answered, and stays None when it
    has nothing stored (the page keeps the scenario it was built with).
    """

    _esm = resources.files("planner.ui.kit").joinpath("estate.js").read_text(encoding="utf-8")
    label = traitlets.Unicode("").tag(sync=True)
    sent = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.estate: Estate | None = None
        self._kept = ""
        self._listeners: list[Callable[[Estate], None]] = []
        self._errors: list[Callable[[str], None]] = []
        self.on_msg(self._received)

    def on_change(self, callback: Callable[[Estate], None]) -> None:
        """Call ``callback(estate)`` whenever the user's estate arrives or changes."""
        self._listeners.append(callback)

    def on_error(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(message)`` when stored files cannot be read or kept."""
        self._errors.append(callback)

    def keep(self, files: Sequence[tuple[str, bytes]], choice: str, name: str) -> None:
        """Store ``files`` and ``choice`` (see :class:`Estate`) in the user's
        browser, for every page; ``name`` is the scenario's, for the page's line."""
        self._kept = _label(name, [n for n, _ in files])      # shown once the browser has stored them
        self.send({"event": "keep", "choice": choice, "names": [n for n, _ in files]},
                  buffers=[bytes(c) for _, c in files])

    def forget(self) -> None:
        """Remove the stored files from the user's browser."""
        self._kept = ""
        self.send({"event": "forget"})
        self.estate = None

    def apply(self, estate: Estate) -> None:
        """Make ``estate`` the page's (without storing it)."""
        self.estate = estate
        self.label = estate.label()
        for callback in self._listeners:
            callback(estate)

    def _error(self, message: str) -> None:
        for callback in self._errors:
            callback(message)

    def _received(self, _: Any, content: dict[str, Any], buffers: list[Any]) -> None:
        event = content.get("event")
        if event == "kept":
            self.label = self._kept
        elif event == "storage_error":
            self._error(f"This browser does not keep your files ({content.get('message')}); "
                        "they last as long as this page.")
        elif event == "stored":
            files = [(str(n), bytes(b)) for n, b in zip(content.get("names") or (), buffers)]
            choice = content.get("choice")
            if not files and choice in (None, "estate"):
                return        # nothing stored: the page stays on what it was built with
            try:
                estate = read_estate(files, choice)
            except (ScenarioError, ValueError) as exc:
                self.label = "Your stored files could not be read: this page shows the built-in example."
                self._error(f"Your stored files could not be read, so this page shows the built-in example: {exc}")
                return
            self.apply(estate)


def estate_upload(description: str = "Upload files") -> Upload:
    """An :class:`~planner.ui.kit.uploads.Upload` for several estate files at once
    (scenarios, inventories, actuals), each within its limit."""
    return Upload(accept=".yaml,.yml,.csv,.xlsx", multiple=True, description=description,
                  limits={".yaml": SCENARIO_LIMIT, ".yml": SCENARIO_LIMIT, ".csv": INVENTORY_LIMIT,
                          ".xlsx": INVENTORY_LIMIT}, default_limit=max(INVENTORY_LIMIT, ACTUALS_LIMIT))
