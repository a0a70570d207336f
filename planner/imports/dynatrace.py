"""A small, careful client for the Dynatrace Environment API (read only).

It reads what ``planner import dynatrace`` needs: the hosts (entities API v2),
the classic billing metrics (metrics API v2) and, where the token may, the
host units Dynatrace itself reports per host (OneAgent on a host API v1).

Robustness against a real server:

* 401: one line saying the token is invalid or expired; 403: one line naming
  the scopes the token needs (``entities.read``, ``metrics.read``).
* 429: waits as long as ``Retry-After`` says, else until ``X-RateLimit-Reset``,
  else with exponential backoff and jitter; at most ``max_retries`` times and
  ``max_wait`` seconds in all (about a minute), with a progress line before
  each wait, then one clear error.
* 5xx and timeouts: retries with exponential backoff and jitter (same bounds),
  then one clear error.
* 400 on one metric: :meth:`Client.metric` raises :class:`MetricRefused` with
  the server's reason, so that the import skips that metric and names it.
* A body that is not JSON, or lacks a documented field, is an error naming the
  call.
* TLS certificates are verified; ``ca_bundle`` names a PEM file for a private CA.

The API token is held in a :class:`Secret`: it is sent in the ``Authorization``
header only, and never appears in a repr, a message, an error or a log line.

Sources (official Dynatrace documentation):

* "Dynatrace API - Tokens and authentication": ``Authorization: Api-Token <token>``.
* "Monitored entities API - GET entities list",
  https://docs.dynatrace.com/docs/shortlink/api-entities-v2-get-all-entities-list :
  ``GET /api/v2/entities``, scope ``entities.read``, ``pageSize`` (default 50),
  ``from``/``to`` (UTC milliseconds; default ``now-3d``) for when the hosts were seen,
  ``nextPageKey``: "When the nextPageKey is set to obtain subsequent pages, you
  must omit all other query parameters."
* "Metrics API - GET metric data points",
  https://docs.dynatrace.com/docs/shortlink/api-metrics-v2-get-datapoints :
  ``GET /api/v2/metrics/query``, scope ``metrics.read``; ``resolution`` as a
  timespan (``1d``); ``from``/``to`` as UTC milliseconds; 404 "A metric has not
  been found"; the response's ``nextPageKey`` "always has the value of null"
  (no paging); a data point's timestamp is the *end* of its time slot.
* "OneAgent on a host API", https://docs.dynatrace.com/docs/shortlink/api-oneagent-on-host :
  ``GET /api/v1/oneagents``, scope ``oneAgents.read`` or ``DataExport``,
  ``hosts[].hostInfo.consumedHostUnits`` (classic licensing only).
* "Dynatrace API - Access limit",
  https://docs.dynatrace.com/docs/dynatrace-api/basics/access-limit : "You reach
  the limit when both thread pool and its queue are full or the request times
  out in the queue (timeout is 10 seconds) ... your requests return the
  response code 429"; the page promises no ``Retry-After``. Where one is sent it
  is read as RFC 9110, section 10.2.3 defines it (seconds, or an HTTP date).
* "Cluster API - Access limit" (Dynatrace Managed),
  https://www.dynatrace.com/support/help/managed-cluster/cluster-api/basics/cluster-access-limit :
  ``X-RateLimit-Reset`` is "the timestamp in microseconds when the limit will
  reset". Planner also reads a value in milliseconds or seconds since 1970, or
  a small number of seconds to wait.
* "Dynatrace API - Response codes": 401 is an invalid or expired token (or none),
  403 a token without the scope the request needs.
"""

from __future__ import annotations

import email.utils
import json
import random
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["Secret", "DynatraceError", "MetricRefused", "Client", "SCOPES", "HOST_FIELDS"]

#: Token scopes the import needs (named in the 401/403 message).
SCOPES = ("entities.read", "metrics.read")
#: Properties the entities call asks for (monitored entities API v2, ``fields``).
HOST_FIELDS = "+firstSeenTms,+lastSeenTms,+properties.memoryTotal,+properties.monitoringMode,+tags"
_ENTITY_PAGE = 500
_TICK = 10.0        # [s] a long wait reports progress this often
_SLEEP, _CLOCK = time.sleep, time.time      # the defaults; a test of the command line replaces them
#: Hosts an ``http://`` URL may name: test servers on this machine only.
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Secret:
    """A string that never shows itself: repr and str print ``'***'``.

    Examples
    --------
    >>> s = Secret("dt0c01.ABC")
    >>> s, str(s), f"{s}"
    (Secret('***'), '***', '***')
    >>> s.reveal()
    'dt0c01.ABC'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        """The value itself: only for the Authorization header."""
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the value replaced by ``***``."""
        return text.replace(self._value, "***") if self._value else text

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __reduce__(self):  # never pickled with its value
        raise TypeError("a Secret cannot be pickled")


class DynatraceError(ValueError):
    """A call to the Dynatrace API failed; the message names the call."""


class MetricRefused(DynatraceError):
    """HTTP 400 on one metric query: the server's reason is the message."""


class _NotFound(Exception):
    """HTTP 404 (a metric the environment does not have)."""


class _BadRequest(DynatraceError):
    """HTTP 400; ``reason`` is the server's message."""

    def __init__(self, what: str, reason: str):
        super().__init__(f"{what}: HTTP 400: {reason}")
        self.reason = reason


@dataclass
class _Retry:
    """How often and how long to retry (bounded in count and in total wait)."""

    max_retries: int = 10
    max_wait: float = 60.0      # [s] total waiting across the retries of one call
    backoff: float = 1.0        # [s] first backoff; doubles each time, with jitter
    cap: float = 30.0           # [s] longest single wait

    def backoff_wait(self, attempt: int, rng: random.Random) -> float:
        """``backoff x 2**attempt``, at most ``cap``, times a jitter factor drawn
        uniformly from [0.5, 1) ("equal jitter": waits still grow, but clients
        that were throttled together do not retry together)."""
        return min(self.cap, self.backoff * 2 ** attempt) * (0.5 + rng.random() / 2)


class Client:
    """Read-only Dynatrace Environment API client.

    Parameters
    ----------
    url : str
        The environment URL, e.g. ``https://abc12345.live.dynatrace.com`` or
        ``https://host/e/ENV-ID``; ``http://`` only for 127.0.0.1 test servers.
    token : Secret
        The API token (scopes ``entities.read`` and ``metrics.read``; optionally
        ``oneAgents.read`` for the host-unit cross-check).
    ca_bundle : str, optional
        A PEM file of CA certificates to trust instead of the system's.
    timeout : float
        Seconds per request [s].
    max_retries, max_wait, backoff
        Retry bounds for 429, 5xx and timeouts: retries per call, total wait per
        call [s] (about a minute), first backoff [s] (doubles each retry, with
        jitter).
    progress : callable, optional
        Called with a short line after each page or metric, and before each wait.
    sleep : callable, optional
        ``time.sleep`` by default; tests pass one that records the waits instead.
    clock : callable, optional
        ``time.time`` by default [s since 1970], to turn ``X-RateLimit-Reset`` into a wait.
    seed : int, optional
        Seed of the jitter (tests); by default the jitter is unseeded.
    """

    def __init__(self, url: str, token: Secret, *, ca_bundle: str | None = None, timeout: float = 30.0,
                 max_retries: int = 10, max_wait: float = 60.0, backoff: float = 1.0,
                 progress: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
                 seed: int | None = None):
        if not isinstance(token, Secret):
            raise TypeError("token must be a planner.imports.dynatrace.Secret")
        parts = urlsplit(url.strip())
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise DynatraceError(f"--url must be the environment's address, like "
                                 f"https://abc12345.live.dynatrace.com; got {url!r}")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            # the token would cross the network in clear text
            raise DynatraceError(f"--url must use https:// (plain http:// only for a test server on this "
                                 f"machine); got {url!r}")
        self.base = url.strip().rstrip("/")
        self.host = parts.netloc
        #: host and path, e.g. ``host/e/ENV-ID`` for Managed: what the import records as its source
        self.source = parts.netloc + parts.path.rstrip("/")
        self._token = token
        self._retry = _Retry(max_retries, max_wait, backoff)
        self._progress = progress or (lambda _line: None)
        self._sleep = sleep or _SLEEP
        self._clock = clock or _CLOCK
        self._rng = random.Random(seed)
        self._http = httpx.Client(verify=_verify(ca_bundle), timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:
        return f"Client({self.base!r}, token=***)"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- one call, with retries -------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any], what: str, *, optional: bool = False) -> Any:
        """GET ``path`` and return its JSON; retries 429, 5xx and timeouts."""
        headers = {"Authorization": f"Api-Token {self._token.reveal()}", "Accept": "application/json"}
        waited, attempt = 0.0, 0
        while True:
            problem, wait = None, None
            try:
                response = self._http.get(self.base + path, params=params, headers=headers)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.HTTPError as exc:
                if _tls_problem(exc):
                    raise DynatraceError(f"{what}: the TLS certificate of {self.host} was not accepted "
                                         f"({self._token.redact(str(exc))[:200]}); pass --ca-bundle "
                                         "FILE.pem for a private CA") from None
                problem = f"connection failed ({type(exc).__name__})"
            else:
                status = response.status_code
                if status in (401, 403):
                    if optional:
                        raise _NotFound()
                    raise DynatraceError(_refused(what, status))
                if status == 404:
                    raise _NotFound()
                if status == 400:
                    raise _BadRequest(what, self._brief(response))
                if 300 <= status < 400:
                    raise DynatraceError(f"{what}: HTTP {status}, redirected to "
                                         f"{response.headers.get('Location', '?')[:120]}; give that address as --url")
                if status == 429:
                    problem, wait = "HTTP 429 (too many requests)", _server_wait(response, self._clock())
                elif status >= 500:
                    problem = f"HTTP {status}"
                elif status >= 400:
                    raise DynatraceError(f"{what}: HTTP {status}: {self._brief(response)}")
                else:
                    return self._json(response, what)
            if wait is None:
                wait = round(self._retry.backoff_wait(attempt, self._rng), 3)
            if attempt >= self._retry.max_retries or waited + wait > self._retry.max_wait:
                raise DynatraceError(f"{what}: {problem}, gave up after {attempt + 1} tries and "
                                     f"{waited:.3g} s of waiting")
            attempt += 1
            self._progress(f"{what}: {problem}; retry {attempt} in {wait:.3g} s "
                           f"({waited + wait:.3g} of at most {self._retry.max_wait:g} s)")
            self._wait(wait)
            waited += wait

    def _wait(self, seconds: float) -> None:
        """Sleep, with a progress line every ``_TICK`` seconds of a long wait."""
        left = seconds
        while left > _TICK:
            self._sleep(_TICK)
            left -= _TICK
            self._progress(f"  waiting, {left:.3g} s left")
        self._sleep(left)

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DynatraceError(f"{what}: the response is not valid JSON ({exc.__class__.__name__} "
                                 f"at character {getattr(exc, 'pos', '?')})") from None

    def _brief(self, response: httpx.Response) -> str:
        try:
            message = response.json()["error"]["message"]     # the documented ErrorEnvelope
        except Exception:
            message = response.text
        return self._token.redact(" ".join(str(message).split()))[:200]

    # --- the calls the import makes -------------------------------------------------------

    def hosts(self, start_ms: int | None = None, end_ms: int | None = None) -> list[dict[str, Any]]:
        """Every HOST entity with ``firstSeenTms``, ``lastSeenTms``, ``memoryTotal``
        and ``monitoringMode``, all pages.

        ``start_ms``/``end_ms`` [UTC ms] is the timeframe the hosts were seen in.
        """
        what = "GET /api/v2/entities (hosts)"
        params: dict[str, Any] = {"entitySelector": 'type("HOST")', "fields": HOST_FIELDS,
                                  "pageSize": _ENTITY_PAGE}
        if start_ms is not None:
            params["from"] = start_ms
        if end_ms is not None:
            params["to"] = end_ms
        entities: list[dict[str, Any]] = []
        try:
            for page, body in enumerate(self._pages("/api/v2/entities", params, what), start=1):
                entities.extend(_field(body, "entities", list, what))
                self._progress(f"hosts: page {page}, {len(entities)} hosts so far")
        except _NotFound:
            raise DynatraceError(f"{what}: HTTP 404; --url must be the environment's address, "
                                 "https://ENVIRONMENT-ID.live.dynatrace.com (SaaS) or "
                                 "https://HOST/e/ENVIRONMENT-ID (Managed)") from None
        return entities

    def _pages(self, path: str, params: dict[str, Any], what: str, *,
               optional: bool = False) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        while True:
            body = self._get(path, params, what, optional=optional)
            if not isinstance(body, dict):
                raise DynatraceError(f"{what}: expected a JSON object; got {type(body).__name__}")
            yield body
            key = body.get("nextPageKey")
            if not key:
                return
            if not isinstance(key, str) or key in seen:
                raise DynatraceError(f"{what}: page {len(seen) + 1} repeats or garbles its nextPageKey; "
                                     "stopped instead of reading the same pages again")
            seen.add(key)
            params = {"nextPageKey": key}        # and nothing else (see the module's sources)

    def metric(self, key: str, start_ms: int, end_ms: int, *, names: bool = False) -> list[dict[str, Any]] | None:
        """Daily data points of one metric [its unit per day], or None if the
        environment does not have it (404).

        ``names`` appends the ``:names`` transformation, which adds each entity
        dimension's name (``dt.entity.application.name``) to the series.

        Raises
        ------
        MetricRefused
            HTTP 400: the server refused the query; the message is its reason.
        """
        selector = f"{key}:names" if names else key
        what = f"GET /api/v2/metrics/query ({selector})"
        try:
            body = self._get("/api/v2/metrics/query", {"metricSelector": selector, "resolution": "1d",
                                                       "from": start_ms, "to": end_ms}, what)
        except _NotFound:
            return None
        except _BadRequest as refused:
            raise MetricRefused(f"HTTP 400: {refused.reason}") from None
        if not isinstance(body, dict):
            raise DynatraceError(f"{what}: expected a JSON object; got {type(body).__name__}")
        series = []
        for collection in _field(body, "result", list, what):
            for item in _field(collection, "data", list, what):
                series.append(item)
        return series

    def consumed_host_units(self) -> dict[str, float] | None:
        """Host units Dynatrace reports per host entity id, or None when the
        token may not read them (oneAgents.read or DataExport) or the API is absent."""
        what = "GET /api/v1/oneagents"
        out: dict[str, float] = {}
        try:
            for body in self._pages("/api/v1/oneagents", {}, what, optional=True):
                for host in _field(body, "hosts", list, what):
                    info = host.get("hostInfo") or {}
                    if info.get("entityId") and isinstance(info.get("consumedHostUnits"), (int, float)):
                        out[info["entityId"]] = float(info["consumedHostUnits"])
        except _NotFound:
            return None
        return out


def _field(body: Any, name: str, kind: type, what: str) -> Any:
    if not isinstance(body, dict) or name not in body:
        raise DynatraceError(f"{what}: the response has no field {name!r}")
    value = body[name]
    if not isinstance(value, kind):
        raise DynatraceError(f"{what}: field {name!r} should be a {kind.__name__}; got {type(value).__name__}")
    return value


def _verify(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """TLS verification: always on; a PEM bundle replaces the system's CAs."""
    if not ca_bundle:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise DynatraceError(f"--ca-bundle {ca_bundle}: cannot read it as PEM CA certificates "
                             f"({exc.__class__.__name__}: {getattr(exc, 'strerror', None) or exc})") from None


def _refused(what: str, status: int) -> str:
    """The one line for a 401 (the token itself) or a 403 (its scopes)."""
    if status == 401:
        return (f"{what}: HTTP 401, the token is invalid or expired (or was not accepted for this "
                "environment); create a new one with the scopes " + " and ".join(SCOPES))
    return f"{what}: HTTP 403, the token lacks a scope; it needs the scopes {' and '.join(SCOPES)}"


def _server_wait(response: httpx.Response, now: float) -> float | None:
    """Seconds a 429 asks to wait: ``Retry-After``, else ``X-RateLimit-Reset``;
    None when neither is sent or readable (then the client backs off)."""
    wait = _retry_after(response, now)
    return wait if wait is not None else _rate_limit_reset(response, now)


def _retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds or an HTTP date (RFC 9110, 10.2.3) [s]."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _rate_limit_reset(response: httpx.Response, now: float) -> float | None:
    """``X-RateLimit-Reset`` as a wait [s]: a timestamp in microseconds (as the
    Cluster API documents it), milliseconds or seconds since 1970, or else a
    number of seconds."""
    try:
        value = float(response.headers.get("X-RateLimit-Reset", "").strip())
    except ValueError:
        return None
    if not value >= 0:                     # NaN or negative
        return None
    for scale in (1e6, 1e3, 1.0):          # a timestamp after 2001 in that unit
        if value / scale > 1e9:
            return max(0.0, value / scale - now)
    return value


def _tls_problem(exc: Exception) -> bool:
    text = f"{exc} {exc.__cause__ or ''} {exc.__context__ or ''}".lower()
    return "certificate" in text or "ssl" in text
