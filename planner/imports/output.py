"""Writing an import's outputs all or nothing (:func:`write`).

* The files are written into a temporary ``.OUT.*.partial`` folder beside the
  output folder and checked there (the scenario must load), then the folder
  is renamed to ``OUT``; an existing ``OUT`` (with ``--force-out``) is
  replaced only then. A failure leaves no ``OUT``.
* The folder gets the permissions the user's umask gives a new folder (not
  the 0700 of a temporary one).
* A ``.partial`` folder that a killed run left beside ``OUT`` is removed by the
  next run, but only one that holds this module's marker file naming a
  process on this machine that no longer runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from planner.export import write_csv
from planner.imports.errors import BaselineError

if TYPE_CHECKING:
    from planner.imports.translate import Baseline

__all__ = ["write"]


def write(baseline: Baseline, out: str | Path, *, force: bool = False) -> list[tuple[str, int]]:
    """Write the outputs into ``out``: first into a temporary folder beside it,
    checked (the scenario must load), then renamed. A failure leaves no ``out``.

    The folder gets the permissions the user's umask gives a new folder (not
    the 0700 of a temporary one). A ``.partial`` folder that a killed run left
    beside ``out`` is removed first, but only one that holds this module's
    marker file naming a process on this machine that no longer runs.

    Returns
    -------
    list of (file, rows)
    """
    from planner.scenario import ScenarioError, load_scenario
    out = Path(out)
    if out.exists() and not force:
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise BaselineError(f"{out}: the folder {parent} does not exist")
    _remove_stale_partials(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        (tmp / _MARKER).write_text(f"{socket.gethostname()}\n{os.getpid()}\n", encoding="utf-8")
        written = [("hosts.csv", len(baseline.hosts)), ("actuals.csv", len(baseline.actuals)), ("scenario.yaml", 1)]
        write_csv(baseline.hosts, tmp / "hosts.csv")
        write_csv(baseline.actuals, tmp / "actuals.csv")
        (tmp / "scenario.yaml").write_text(baseline.scenario, encoding="utf-8")
        if baseline.host_check is not None:
            write_csv(baseline.host_check, tmp / "host_unit_check.csv")
            written.append(("host_unit_check.csv", len(baseline.host_check)))
        try:
            load_scenario(tmp / "scenario.yaml")        # what we wrote must load as it is
        except ScenarioError as exc:
            raise BaselineError(f"{str(exc).replace(str(tmp), str(out))} (nothing was written)") from None
        (tmp / _MARKER).unlink()
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, old / out.name)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


_MARKER = ".planner-import-partial"     # host and process id of the run writing a .partial folder


def _umask() -> int:
    mask = os.umask(0o022)      # the only way to read it is to set it
    os.umask(mask)
    return mask


def _remove_stale_partials(parent: Path, name: str) -> None:
    """Remove ``.NAME.*.partial`` folders whose marker names a dead process of this host."""
    for folder in parent.glob(f".{name}.*.partial"):
        marker = folder / _MARKER
        try:
            host, pid = marker.read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            continue                                   # not ours: leave it
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # another user's process
        return True
    return True
