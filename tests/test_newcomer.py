"""What a new user meets first: the README's commands, `make lab` as root, the
scenario guide (issue 19, part 3)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.sections import SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def _code_lines(markdown: str) -> list[tuple[int, str]]:
    """(offset, line) of every line inside a fenced code block."""
    out, inside, offset = [], False, 0
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            inside = not inside
        elif inside:
            out.append((offset, line.strip()))
        offset += len(line)
    return out


def test_readme_says_how_to_run_planner_before_it_runs_it_bare():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    bare = [at for at, line in _code_lines(readme) if re.match(r"(\$ )?planner ", line)]
    activation = readme.index("source .venv/bin/activate")
    assert bare and activation < bare[0]
    assert readme.index(".venv/bin/planner") < bare[0] and "make install" in readme[:bare[0]]
    # what the README promises exists: `make install` makes the venv, the package installs `planner`
    assert re.search(r"^install: \$\(STAMP\)$", (ROOT / "Makefile").read_text(), re.M)
    assert 'planner = "planner.cli:main"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("user_id, allow_root", [("0", True), ("1000", False)])
def test_make_lab_passes_allow_root_only_as_root(user_id, allow_root):
    # -n prints the commands without running them; USER_ID stands in for `id -u`
    out = subprocess.run(["make", "-n", "lab", f"USER_ID={user_id}", "STAMP=README.md"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    lab = [line for line in out.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1 and ("--allow-root" in lab[0]) is allow_root


def test_scenario_guide_covers_what_newcomers_asked():
    guide = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    table = guide[guide.index("| `kind` | `per_run` counts"):]
    table = table[:table.index("\n\n")]
    kinds = SECTIONS["synthetic"].fields["kind"][0]
    for kind in ("browser", "clickpath", "http", "third_party"):
        assert kinds(kind, "kind") == kind and f"| `{kind}` |" in table
    assert "`frequency_minutes` (required)" in guide
    assert "the scenario has no contract" in guide
    assert "`pools: {host_units: ...}` is refused" in guide and "licences: {host_units: {quantity: N}}" in guide
