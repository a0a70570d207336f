"""planner import dynatrace / files against a real HTTP server on 127.0.0.1.

The server (pytest-httpserver) serves the documented response shapes of the
entities, metrics and OneAgent APIs (tests/fixtures/dynatrace_api.py), and the
client is the real one (httpx). Expected figures are worked out by hand from the
fixture: months 2026-07 (31 days), 2026-08 (31) and 2026-09 (30), 92 days.
"""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pandas as pd
import pytest

from fixtures import dynatrace_api as fx
from fixtures.local_http import httpserver_listen_address, no_proxy  # noqa: F401 (fixtures)
from planner.imports.baseline import METRICS, BaselineError, import_dynatrace, import_files
from planner.cli import main
from planner.imports.dynatrace import HOST_FIELDS, Client, DynatraceError, Secret
from planner.engine import forecast
from planner.model import Growth
from planner.scenario import load_scenario

START_MS = int(pd.Timestamp("2026-07-01").value // 1_000_000)
END_MS = int(pd.Timestamp("2026-10-01").value // 1_000_000)
LAST_MONTH_MS = int(pd.Timestamp("2026-09-01").value // 1_000_000)
AUTH = {"Authorization": f"Api-Token {fx.TOKEN}"}


def _serve(server, *, throttle: bool = False, fail_once: bool = False) -> None:
    """The whole environment; optionally one 429 (Retry-After: 1) and one 500."""
    first = {"entitySelector": 'type("HOST")', "fields": HOST_FIELDS, "pageSize": "500",
             "from": str(START_MS), "to": str(END_MS)}
    server.expect_request("/api/v2/entities", query_string=first, headers=AUTH).respond_with_json(fx.entities_page(0))
    for page in (1, 2):   # a page key and nothing else
        server.expect_request("/api/v2/entities", query_string={"nextPageKey": f"PAGE-{page + 1}"},
                              headers=AUTH).respond_with_json(fx.entities_page(page))
    if throttle:
        server.expect_oneshot_request("/api/v2/metrics/query",
                                      query_string=_metric_query("builtin:billing.ddu.log.total")).respond_with_data(
            "", status=429, headers={"Retry-After": "1"})
    if fail_once:
        server.expect_oneshot_request("/api/v2/metrics/query",
                                      query_string=_metric_query("builtin:billing.ddu.events.total")).respond_with_json(
            {"error": {"code": 500, "message": "internal"}}, status=500)
    for key, rows in fx.METRIC_DAYS.items():
        handler = server.expect_request("/api/v2/metrics/query", query_string=_metric_query(key), headers=AUTH)
        if rows is None:
            handler.respond_with_json({"error": {"code": 404, "message": f"Metric {key} not found"}}, status=404)
        else:
            handler.respond_with_json(fx.metric_body(key))
    server.expect_request("/api/v1/oneagents", headers=AUTH).respond_with_json(fx.ONEAGENTS)


def _metric_query(key: str) -> dict[str, str]:
    # per-application metrics are asked for with the :names transformation
    selector = f"{key}:names" if METRICS[key].kind in ("replay", "plain", "all_sessions", "properties") else key
    return {"metricSelector": selector, "resolution": "1d", "from": str(START_MS), "to": str(END_MS)}


def _requests(server, path: str, key: str | None = None) -> int:
    return sum(1 for request, _ in server.log if request.path == path
               and (key is None or request.args.get("metricSelector", "").split(":names")[0] == key))


def _no_token_in(folder: Path) -> None:
    for file in folder.rglob("*"):
        if file.is_file():
            assert fx.TOKEN not in file.read_text(encoding="utf-8"), file


def test_import_from_a_server_with_paging_429_500_and_404(httpserver, tmp_path):
    _serve(httpserver, throttle=True, fail_once=True)
    out = tmp_path / "baseline"
    lines: list[str] = []
    began = time.monotonic()
    baseline = import_dynatrace(httpserver.url_for("/"), Secret(fx.TOKEN), out, months=3, to="2026-09",
                                progress=lines.append, backoff=0.01, max_wait=10)
    elapsed = time.monotonic() - began
    httpserver.check_assertions()

    # paging: three entity pages; 429 and 500 each retried once; Retry-After: 1 honoured
    assert _requests(httpserver, "/api/v2/entities") == 3
    assert _requests(httpserver, "/api/v2/metrics/query", "builtin:billing.ddu.log.total") == 2
    assert _requests(httpserver, "/api/v2/metrics/query", "builtin:billing.ddu.events.total") == 2
    assert elapsed >= 1.0
    assert any("HTTP 429" in line and "retry 1 in 1 s" in line for line in lines)
    assert any(line.startswith("hosts: page 3") for line in lines)
    assert sum("metrics:" in line for line in lines) == 19

    # hosts.csv: memoryTotal bytes / 1024**3; the discovery-mode host is skipped
    hosts = pd.read_csv(out / "hosts.csv")
    assert list(hosts.columns) == ["host", "ram_gib", "mode"]       # custom metrics are a driver of their own
    assert hosts[["host", "ram_gib", "mode"]].values.tolist() == [
        ["web-1", 16.0, "fullstack"], ["web-2", 8.0, "fullstack"], ["db-1", 64.0, "fullstack"],
        ["app-1", 32.0, "infrastructure"], ["app-2", 100.0, "infrastructure"]]
    assert baseline.skipped_hosts == [("printer", "monitoringMode 'DISCOVERY' (not full-stack or infrastructure)")]

    actuals = pd.read_csv(out / "actuals.csv")
    totals = actuals.groupby(["unit", "capability"])["value"].sum().round(6).to_dict()
    assert totals == {
        ("ddu", "custom_events"): 460.0,            # 5 DDU/day x 92 days
        ("ddu", "custom_metrics"): 920.0,           # 10 x 92
        ("ddu", "log_management_ingest"): 9200.0,   # 1 GB/day x 92 x 100 DDU/GB
        ("ddu", "log_management_query"): 156.4,     # 1 GB/day x 92 x 1.70
        ("ddu", "log_management_retain"): 966.0,    # 35 GB stored x 92 days x 0.30
        ("ddu", "log_monitoring"): 10140.0,         # 100 x 31 + 110 x 31 + 121 x 30
        ("dem", "defined_properties"): 1564.0,      # 1700 billed properties/day x 92 x 0.01
        ("dem", "rum_sessions"): 7360.0,            # (300 web + (22 - 2) mobile) x 92 x 0.25
        ("dem", "session_replay"): 3864.0,          # (40 billed web; 20 unbilled dropped + 2 mobile) x 92 x 1.00
        ("dem", "synthetic_browser"): 9200.0,       # 100 actions/day x 92 x 1.00
        ("dem", "synthetic_http"): 9200.0,          # 1000 requests/day x 92 x 0.10
        # every host seen before and after the window: each month's peak is all of them
        ("host_units", "fullstack"): 16.5,          # (16 GiB 1 + 8 GiB 0.5 + 64 GiB ceil(64/16) = 4) x 3 months
        ("host_units", "infrastructure"): 4.8,      # (32 GiB min(1, 0.3 x 2) + 100 GiB min(1, 0.3 x 7)) x 3
        ("host_unit_hours", "fullstack"): 12144.0,  # 5.5 HU x 92 days x 24 h
        ("host_unit_hours", "infrastructure"): 3532.8,   # 1.6 HU x 2,208 h
    }
    per_unit = actuals.groupby("unit")["value"].sum().round(6).to_dict()
    assert per_unit == {"ddu": 21842.4, "dem": 31188.0, "host_units": 21.3, "host_unit_hours": 15676.8}
    assert set(actuals.loc[actuals["unit"] == "host_units", "month"]) == set(fx.MONTHS)

    assert dict(baseline.skipped_metrics) == {
        "builtin:billing.ddu.traces.total": "no data points",
        "builtin:billing.ddu.serverless.total": "not found (HTTP 404)",
        "builtin:billing.apps.mobile.userActionPropertiesByMobileApplication": "no data points",
        "builtin:billing.synthetic.external": "not found (HTTP 404)",
        "builtin:billing.apps.custom.sessionsWithoutReplayByApplication": "not found (HTTP 404)",
        "builtin:billing.apps.custom.userActionPropertiesByDeviceApplication": "not found (HTTP 404)"}

    # host-unit cross-check: Dynatrace says 2 for db-1, the planner 4 (64 GiB full-stack)
    check = pd.read_csv(out / "host_unit_check.csv")
    assert check[["host", "planner_host_units", "dynatrace_host_units", "differs"]].values.tolist() == [
        ["web-1", 1.0, 1.0, False], ["db-1", 4.0, 2.0, True]]

    # the scenario loads and runs as written
    scenario = load_scenario(out / "scenario.yaml")
    assert scenario.contract.start == pd.Timestamp("2026-10-01") and scenario.contract.term_years == 1
    assert scenario.contract.pools == {} and scenario.contract.licences == {}
    log = scenario.drivers["log-monitoring"].values
    # 100, 110, 121 DDU/day: exactly 10 % a month, fitted next month 133.1 DDU/day / 0.0005 DDU per event
    assert log["events_per_day"] == pytest.approx(266_200.0, abs=1e-6)
    assert scenario.drivers["log-monitoring"].growth == Growth("monthly", 0.1, None)
    shop = scenario.drivers["shop"].values
    # (40 + 300) sessions/day x 365.25 / 12 days; share 40 / 340; 1700 / 340 = 5 billed above the free 20
    assert (shop["sessions_per_month"], shop["replay_share"], shop["properties_per_session"]) == \
        (10348.75, 0.117647, 25.0)
    assert scenario.drivers["logs"].values["retention_days"] == 35.0        # 35 GB stored / 1 GB a day
    monthly = forecast(scenario).monthly(("unit", "capability"))
    log_ddu = monthly[monthly["capability"] == "log_monitoring"].set_index("month")["value"]
    # 266,200 events/day x 31 days x 0.0005; then x 1.1 x 30 days
    assert log_ddu[pd.Period("2026-10")] == pytest.approx(4126.1, abs=1e-6)
    assert log_ddu[pd.Period("2026-11")] == pytest.approx(4392.3, abs=1e-6)
    text = (out / "scenario.yaml").read_text()
    assert "# pools:" in text and "the 5 hosts running at the end of 2026-09" in text
    # custom-metric DDU: 10 DDU a day, flat: 10 / 0.001 DDU per data point / 1440 min = 6.944444444444 a minute
    assert scenario.drivers["custom-metrics"].values["metrics_per_minute"] == 6.944444444444
    assert scenario.drivers["custom-metrics"].growth == Growth("monthly", 0.0, None)
    _no_token_in(out)

    # the same data as exported files gives the same actuals and hosts
    (tmp_path / "hosts.json").write_text(fx.hosts_json())
    (tmp_path / "metrics.csv").write_text(fx.metrics_csv())
    (tmp_path / "oneagents.json").write_text(json.dumps(fx.ONEAGENTS))
    import_files(tmp_path / "hosts.json", [tmp_path / "metrics.csv"], tmp_path / "offline",
                 oneagents_json=tmp_path / "oneagents.json")
    for name in ("actuals.csv", "hosts.csv", "host_unit_check.csv"):
        assert (tmp_path / "offline" / name).read_text() == (out / name).read_text(), name


def test_cli_import_forecast_backtest_keep_the_token_secret(httpserver, tmp_path, monkeypatch, capsys):
    _serve(httpserver)
    monkeypatch.setenv("MY_DT_TOKEN", fx.TOKEN)
    out = tmp_path / "env"
    status = main(["import", "dynatrace", "--url", httpserver.url_for("/"), "--token-env", "MY_DT_TOKEN",
                   "--months", "3", "--to", "2026-09", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "metrics: 19/19 fetched" in captured.err                 # progress on stderr
    assert "31,188" in captured.out and "21,842.4" in captured.out    # DEM and DDU totals
    assert main(["forecast", str(out / "scenario.yaml")]) == 0
    assert main(["backtest", str(out / "scenario.yaml"), str(out / "actuals.csv")]) == 0
    captured2 = capsys.readouterr()
    assert "modelled versus actual" in captured2.out and "summary per unit" in captured2.out
    for text in (captured.out, captured.err, captured2.out, captured2.err):
        assert fx.TOKEN not in text
    _no_token_in(out)


@pytest.mark.parametrize("status, says", [
    # "Dynatrace API - Response codes": 401 the token is missing, invalid or expired; 403 it lacks a scope
    (401, "HTTP 401, the token is invalid or expired (or was not accepted for this environment); create a new "
          "one with the scopes entities.read and metrics.read"),
    (403, "HTTP 403, the token lacks a scope; it needs the scopes entities.read and metrics.read"),
])
def test_401_says_invalid_token_403_names_the_scopes_and_no_folder(httpserver, tmp_path, monkeypatch, capsys,
                                                                   status, says):
    httpserver.expect_request("/api/v2/entities").respond_with_json(
        {"error": {"code": status, "message": f"Token {fx.TOKEN} is not authorized"}}, status=status)
    monkeypatch.setenv("DT_API_TOKEN", fx.TOKEN)
    out = tmp_path / "env"
    code = main(["import", "dynatrace", "--url", httpserver.url_for("/"), "--to", "2026-09", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip().splitlines()[-1] == f"planner: error: GET /api/v2/entities (hosts): {says}"
    assert fx.TOKEN not in captured.err + captured.out
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_token_variable(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DT_API_TOKEN", raising=False)
    assert main(["import", "dynatrace", "--url", "https://abc.live.dynatrace.com", "--out", str(tmp_path / "x")]) == 2
    assert "DT_API_TOKEN holds no API token" in capsys.readouterr().err


@pytest.mark.parametrize("body, message", [
    ("{not json", "GET /api/v2/entities (hosts): the response is not valid JSON"),
    ('{"totalCount": 1}', "GET /api/v2/entities (hosts): the response has no field 'entities'"),
])
def test_bad_entity_responses_name_the_call(httpserver, tmp_path, body, message):
    httpserver.expect_request("/api/v2/entities").respond_with_data(body, content_type="application/json")
    out = tmp_path / "env"
    with pytest.raises(DynatraceError) as info:
        import_dynatrace(httpserver.url_for("/"), Secret(fx.TOKEN), out, months=3, to="2026-09")
    assert str(info.value).startswith(message)
    assert fx.TOKEN not in str(info.value) and fx.TOKEN not in repr(info.value)
    assert list(tmp_path.iterdir()) == []


def test_metric_without_result_names_the_call(httpserver, tmp_path):
    httpserver.expect_request("/api/v2/entities").respond_with_json(fx.entities_page(2))
    httpserver.expect_request("/api/v2/metrics/query").respond_with_json({"totalCount": 0})
    with pytest.raises(DynatraceError, match=r"^GET /api/v2/metrics/query \(builtin:billing.ddu.metrics.total\): "
                                             r"the response has no field 'result'$"):
        import_dynatrace(httpserver.url_for("/"), Secret(fx.TOKEN), tmp_path / "env", months=3, to="2026-09")
    assert list(tmp_path.iterdir()) == []


def test_5xx_retries_with_backoff_then_one_error(httpserver):
    import random
    httpserver.expect_request("/api/v2/entities").respond_with_data("oops", status=503)
    waits: list[float] = []
    with Client(httpserver.url_for("/"), Secret(fx.TOKEN), max_retries=2, backoff=0.5, sleep=waits.append,
                seed=7) as client:
        with pytest.raises(DynatraceError) as info:
            client.hosts()
    # backoff 0.5 s, doubled, times a jitter factor 0.5 + u / 2 from random.Random(7)
    draws = random.Random(7)
    expected = [round(0.5 * 2 ** k * (0.5 + draws.random() / 2), 3) for k in range(2)]
    assert waits == expected and 0.25 <= waits[0] < 0.5 and 0.5 <= waits[1] < 1.0
    assert str(info.value) == (f"GET /api/v2/entities (hosts): HTTP 503, gave up after 3 tries and "
                               f"{sum(expected):.3g} s of waiting")
    assert _requests(httpserver, "/api/v2/entities") == 3


def test_429_total_wait_is_bounded(httpserver):
    httpserver.expect_request("/api/v2/entities").respond_with_data("", status=429, headers={"Retry-After": "30"})
    waits: list[float] = []
    with Client(httpserver.url_for("/"), Secret(fx.TOKEN), max_retries=5, max_wait=45, sleep=waits.append) as client:
        with pytest.raises(DynatraceError, match=r"HTTP 429 \(too many requests\), gave up after 2 tries and 30 s"):
            client.hosts()
    assert waits == [10.0, 10.0, 10.0]           # one 30 s wait, in steps of 10 s with a line each;
                                                 # a second 30 s wait would pass the 45 s bound


def test_timeouts_are_retried(httpserver):
    import threading
    release = threading.Event()

    def slow(request):
        release.wait(0.5)
        from werkzeug import Response
        return Response("{}", status=200)

    httpserver.expect_request("/api/v2/entities").respond_with_handler(slow)
    waits: list[float] = []
    with Client(httpserver.url_for("/"), Secret(fx.TOKEN), timeout=0.05, max_retries=1, backoff=0.01,
                sleep=waits.append) as client:
        with pytest.raises(DynatraceError, match=r"timed out, gave up after 2 tries"):
            client.hosts()
    release.set()
    assert len(waits) == 1 and 0.005 <= waits[0] <= 0.01


def test_the_token_never_shows(tmp_path):
    secret = Secret(fx.TOKEN)
    client = Client("https://abc12345.live.dynatrace.com", secret)
    shown = [repr(secret), str(secret), f"{secret}", "%s" % secret, repr(client), repr(vars(client))]
    assert all(fx.TOKEN not in text for text in shown)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.redact(f"x {fx.TOKEN} y") == "x *** y"
    client.close()


def test_tls_options(tmp_path):
    with pytest.raises(DynatraceError, match=r"^--ca-bundle .*missing.pem: cannot read it as PEM CA certificates"):
        Client("https://abc12345.live.dynatrace.com", Secret(fx.TOKEN), ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(DynatraceError, match="--url must be the environment's address"):
        Client("abc12345.live.dynatrace.com", Secret(fx.TOKEN))


def test_existing_folder_is_refused_and_untouched(tmp_path):
    out = tmp_path / "env"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BaselineError, match="exists; add --force-out to replace it"):
        import_dynatrace("https://abc12345.live.dynatrace.com", Secret(fx.TOKEN), out, months=3, to="2026-09")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    (tmp_path / "hosts.json").write_text(fx.hosts_json())
    (tmp_path / "metrics.csv").write_text(fx.metrics_csv())

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("planner.scenario.load_scenario", broken)
    with pytest.raises(OSError, match="disk full"):
        import_files(tmp_path / "hosts.json", [tmp_path / "metrics.csv"], tmp_path / "env")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hosts.json", "metrics.csv"]   # no env, no .partial


@pytest.mark.parametrize("to, message", [
    ("2026-13", "--to must be a month YYYY-MM; got '2026-13'"),
    ("2999-01", "--to 2999-01: that month is not over yet"),
])
def test_bad_window(tmp_path, to, message):
    with pytest.raises(BaselineError, match=message):
        import_dynatrace("https://abc12345.live.dynatrace.com", Secret(fx.TOKEN), tmp_path / "e", to=to)


@pytest.mark.parametrize("to", ["2026", "2026-07-01", "July"])
def test_files_import_checks_to_as_the_environment_import_does(tmp_path, to):
    # pandas alone reads "2026" as 2026-01; the window must not end in a month nobody asked for
    (tmp_path / "hosts.json").write_text(fx.hosts_json())
    (tmp_path / "metrics.csv").write_text(fx.metrics_csv())
    with pytest.raises(BaselineError, match=f"--to must be a month YYYY-MM; got '{to}'"):
        import_files(tmp_path / "hosts.json", [tmp_path / "metrics.csv"], tmp_path / "env", to=to)
    assert not (tmp_path / "env").exists()


def test_files_import_errors_name_file_row_and_column(tmp_path):
    (tmp_path / "hosts.json").write_text(fx.hosts_json())
    bad = tmp_path / "metrics.csv"
    bad.write_text("metricId,time,value\nbuiltin:billing.ddu.log.total,2026-07-02 00:00:00,lots\n")
    with pytest.raises(BaselineError, match=r"metrics.csv: row 2, column 'value': 'lots' is not a number"):
        import_files(tmp_path / "hosts.json", [bad], tmp_path / "env")
    bad.write_text("metric,when,value\n")
    with pytest.raises(BaselineError, match=r"missing column\(s\) metricId, time"):
        import_files(tmp_path / "hosts.json", [bad], tmp_path / "env")
    (tmp_path / "hosts.json").write_text("[{")
    with pytest.raises(BaselineError, match=r"hosts.json: not valid JSON"):
        import_files(tmp_path / "hosts.json", [bad], tmp_path / "env")
    assert not (tmp_path / "env").exists()


def test_a_wrong_url_says_what_the_address_looks_like(httpserver):
    with Client(httpserver.url_for("/"), Secret(fx.TOKEN)) as client:
        httpserver.expect_request("/api/v2/entities").respond_with_data("", status=404)
        with pytest.raises(DynatraceError, match=r"HTTP 404; --url must be the environment's address"):
            client.hosts()


@pytest.mark.parametrize("url", ["http://abc12345.live.dynatrace.com", "http://10.0.0.5/e/ENV"])
def test_the_token_is_not_sent_over_plain_http_to_another_machine(url):
    with pytest.raises(DynatraceError, match=r"--url must use https://") as caught:
        Client(url, Secret(fx.TOKEN))
    assert fx.TOKEN not in str(caught.value)


def test_force_out_replaces_a_previous_import(tmp_path):
    (tmp_path / "hosts.json").write_text(fx.hosts_json())
    (tmp_path / "metrics.csv").write_text(fx.metrics_csv())
    out = tmp_path / "env"
    out.mkdir()
    (out / "old.txt").write_text("previous")
    import_files(tmp_path / "hosts.json", [tmp_path / "metrics.csv"], out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["actuals.csv", "hosts.csv", "scenario.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env", "hosts.json", "metrics.csv"]   # nothing left over


def test_a_repeated_page_key_stops_the_paging(httpserver):
    httpserver.expect_request("/api/v2/entities").respond_with_json({"entities": [], "nextPageKey": "SAME"})
    with Client(httpserver.url_for("/"), Secret(fx.TOKEN)) as client:
        with pytest.raises(DynatraceError, match="page 2 repeats or garbles its nextPageKey"):
            client.hosts()
    assert _requests(httpserver, "/api/v2/entities") == 2


def test_retry_after_as_seconds_or_http_date():
    import email.utils

    import httpx

    from planner.imports.dynatrace import _retry_after
    assert _retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    soon = email.utils.formatdate(time.time() + 120, usegmt=True)   # RFC 9110: an HTTP date
    assert 115 <= _retry_after(httpx.Response(429, headers={"Retry-After": soon})) <= 120
    assert _retry_after(httpx.Response(429)) is None                 # missing: the client backs off
