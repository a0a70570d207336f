"""Helpers the dashboard tests share: a KPI's text, an upload widget's value, a page's checks."""

from __future__ import annotations

import datetime as dt


def kpi(page, name):
    """The text a KPI card ``kpi-<name>`` shows."""
    return page.find(f"kpi-{name}").shown


def upload(name, content):
    """What an upload widget's ``value`` holds after one file ``name`` is chosen."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2025, 1, 1)},)


def check_page(page, name):
    """Stable classes used once, every chart titled, every KPI filled, no error; returns the classes."""
    classes = page.css_classes()
    assert classes[0] == f"dash-{name}" and "planner-dashboard" in page._dom_classes
    stable = [c for c in classes if c.startswith(("ctl-", "kpi-", "chart-", "table-", "download-"))]
    assert len(stable) == len(set(stable)), "a stable class is used twice"
    for cls in (c for c in classes if c.startswith("chart-")):
        shown = page.find(cls)
        assert shown.figure.get("data") is not None and shown.title, f"{cls} shows no chart"
    for cls in (c for c in classes if c.startswith("kpi-")):
        assert page.find(cls).shown, f"{cls} is empty"
    assert page.find("planner-error").text == ""
    assert "Dashboard" in page._repr_mimebundle_()["text/plain"]
    return classes
