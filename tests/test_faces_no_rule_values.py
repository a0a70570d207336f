"""No rule value is written in a face (issue 9, item 4): the CLI, the dashboards and the
notebooks read weights, allowances, windows and hours from the table set.

The scan looks at every number in the faces' code that equals a rule value or a weight
of the shipped tables (or a 365-day year) and is used in arithmetic (``sessions * 0.25``,
``properties - 20``, ``/ 30``) or named as a module constant (``DAYS_A_MONTH = 30``). A
number in a layout (``margin={"r": 20}``), a default argument or a control's bounds is
not arithmetic and is not flagged. The few arithmetic uses that are not rules (percent,
minutes an hour) are listed in ``NOT_RULES`` with the reason. Support hours written as
text ("08:00") are flagged wherever they appear.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

from planner.tableset import default_tables
from test_tables import _rule_values

ROOT = Path(__file__).resolve().parents[1]
ARITHMETIC = {"*", "/", "-", "+", "//", "%"}
CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]* = ")
#: Arithmetic with a rule-sized number that is not a rule: pattern -> why.
NOT_RULES = {
    r"(\*|/) ?100\b.*|.*\b(share|percent|p_run_out|pct)\b.*(\*|/) ?100\b": "a share as a percentage",
    r"(\*|/) ?60\b|24 \* 60": "seconds a minute, minutes an hour",
    r"\bheight=": "pixels of a chart",
    r"INVENTORY_ROWS = 1_000_000": "the upload row limit (issue 13), not log events per GB",
    r"^FREQUENCIES = ": "the monitor frequencies a user can pick [min], not a rate card value",
}
#: 2 stands for pairs, halves and positions everywhere; a rule of value 2 cannot be told apart.
TOO_COMMON = {2.0}


def _faces() -> list[tuple[str, str]]:
    files = [*sorted((ROOT / "planner" / "ui").rglob("*.py")), *sorted((ROOT / "planner" / "cli").glob("*.py"))]
    out = [(str(f.relative_to(ROOT)), f.read_text(encoding="utf-8")) for f in files]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                out.append((f"{nb.relative_to(ROOT)} cell {i}", "".join(cell["source"])))
    return out


def _hits(name: str, text: str, values: set[float]) -> list[str]:
    lines = text.splitlines()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    hits = []
    for i, token in enumerate(tokens):
        if token.type != tokenize.NUMBER or "j" in token.string:
            continue
        if float(token.string.replace("_", "")) not in values:
            continue
        before = tokens[i - 1].string if i else ""
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        line = lines[token.start[0] - 1]
        arithmetic = (before in ARITHMETIC or after in ARITHMETIC) and "**" not in (before, after)
        hit = f"{name}, line {token.start[0]}: {line.strip()}"
        if (arithmetic or CONSTANT.match(line)) and not any(re.search(p, line) for p in NOT_RULES) \
                and hit not in hits:
            hits.append(hit)
    return hits


def test_no_rule_value_is_written_in_a_face():
    values = (_rule_values() | {365.0, 366.0}) - TOO_COMMON
    hits = [hit for name, text in _faces() for hit in _hits(name, text, values)]
    assert not hits, "read these from the table set (scenario.tables / planner.tableset):\n" + "\n".join(hits)


def _strings(text: str) -> list[str]:
    """The string literals of code, docstrings left out (they may quote a table's row)."""
    out, statement_start = [], True
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and not statement_start:
            out.append(token.string)
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            statement_start = token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return out


def test_no_support_hour_is_written_in_a_face():
    hours = default_tables()["support_hours"]
    times = {str(v) for column in hours.columns for v in hours[column] if re.fullmatch(r"\d\d:\d\d", str(v))}
    assert times >= {"08:00", "17:00"}                     # the scan knows the business hours
    assert _strings('"""08:00 in a docstring"""\nopens = "08:00"\n') == ['"08:00"']
    hits = [f"{name}: {time}" for name, text in _faces() for time in sorted(times)
            if any(time in string for string in _strings(text))]
    assert not hits, "support hours belong in tables/support_hours.csv:\n" + "\n".join(hits)


def test_the_scan_finds_a_rule_value():
    values = _rule_values() - TOO_COMMON
    assert _hits("x.py", "billed = max(0, properties - 20) * 0.01\n", values) == [
        "x.py, line 1: billed = max(0, properties - 20) * 0.01"]
    assert _hits("x.py", "DAYS_A_MONTH = 30\n", values | {365.0}) == ["x.py, line 1: DAYS_A_MONTH = 30"]
    assert _hits("x.py", 'fig.update_layout(margin={"r": 20})\n', values) == []
