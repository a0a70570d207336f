"""The Voila application that ``planner.serve`` runs: Voila 0.5 plus what a shared
server needs.

Run as ``python -m planner.serve.voila_app NOTEBOOKS [voila options]``; it takes every
option of ``voila`` and adds these (all also settable in ``voila.json``):

* **Kernels end with their page.** :class:`PlannerKernelManager` shuts a page's
  kernel down once its last websocket has been closed for
  ``PlannerKernelManager.disconnect_grace`` seconds (default 20; a reload or a
  dropped connection reconnects well within that), and a kernel that never got
  a websocket (the browser left while Voila was still executing) once it has
  been idle ``connect_timeout`` seconds (default 300). Pre-heated kernels
  waiting in Voila's pool are left alone. Voila's own shutdown request on
  ``beforeunload`` (``/voila/api/shutdown/<kernel>``, sent by its widget
  manager with the page's ``_xsrf`` cookie) was refused because the rendered
  page never set that cookie (voila#1458); :class:`PlannerRenderHandler` sets
  it, so a page that closes normally ends its kernel at once, and the
  websocket rule catches the rest (browser crash, ``page.close()`` without
  unload handlers, a laptop lid). jupyter_server's idle culling
  (``MappingKernelManager.cull_idle_timeout``) stays the last line of defence.
* **A cap on live page kernels** (``PlannerVoila.max_kernels``; 0 = no cap). A
  visitor beyond it gets HTTP 503 with a short "the planner is busy, try again
  in a minute" page (``Retry-After: 60``) instead of a page that hangs.
* **Static assets compressed and cacheable**: responses are gzip-compressed
  (tornado's ``compress_response``); content-hashed lab-extension files
  (``remoteEntry.<hash>.js``, ``<n>.<hash>.js``) are cached as immutable, the
  others revalidate (304).
* **No request leaves the server**: the lab template links Font Awesome 5 from a
  CDN (``cdn.jsdelivr.net``), which an offline network cannot reach; the page's
  links are rewritten to a copy served from ``planner/ui/kit/static/fontawesome``
  (Font Awesome Free 5.15.4: CSS under the MIT licence, fonts under SIL OFL 1.1;
  woff2 only, which every current browser reads) at ``/voila/planner-static/``.
* **Token from the environment**: ``PLANNER_VOILA_TOKEN`` sets Voila's token, so
  it is not visible in the process list.

Sources: Voila 0.5.13 source (``voila/app.py``, ``voila/handler.py``,
``voila/voila_kernel_manager.py``, ``packages/widgets_manager8/src/index.ts``:
the ``beforeunload`` beacon); jupyter_server 2 ``MappingKernelManager``
(``notify_connect``/``notify_disconnect``, ``cull_idle_timeout``), "Config file
and command line options", https://jupyter-server.readthedocs.io/en/latest/other/full-config.html.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado.ioloop import PeriodicCallback
from traitlets import Dict, Float, Int
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

__all__ = ["PlannerKernelManager", "PlannerRenderHandler", "PlannerVoila", "BUSY_PAGE", "main"]

TOKEN_ENV = "PLANNER_VOILA_TOKEN"

BUSY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60">
<title>The planner is busy</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}}</style>
</head><body class="planner-busy">
<h1>The planner is busy</h1>
<p>{count} dashboards are open on this server, its limit. Please try again in a minute;
this page reloads itself every 60 seconds.</p>
<p>Closing a dashboard tab you no longer need frees its place.</p>
</body></html>
"""

_HASHED = re.compile(r"\.[0-9a-f]{16,}\.js$")
STATIC_DIR = Path(__file__).resolve().parents[1] / "ui" / "kit" / "static"
STATIC_URL = "voila/planner-static/"
_CDN = re.compile(r"https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@[^/\"']*/css/")


def local_assets(chunk: str, base_url: str) -> str:
    """``chunk`` of a rendered page with the Font Awesome CDN links made local.

    >>> local_assets('<link href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css">', "/")
    '<link href="/voila/planner-static/fontawesome/css/all.min.css">'
    """
    if "cdn.jsdelivr.net" not in chunk:
        return chunk
    return _CDN.sub(f"{base_url.rstrip('/')}/{STATIC_URL}fontawesome/css/", chunk)


class PlannerKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager that ends page kernels whose page has gone.

    Voila wraps this class with its pre-heating pool (``voila_kernel_manager_factory``),
    so ``_pools`` exists when pre-heating is on.
    """

    disconnect_grace = Float(20.0, config=True, help=(
        "Seconds a kernel may stay without a websocket after its last one closed before it is "
        "shut down [s]; 0 disables the rule."))
    connect_timeout = Float(300.0, config=True, help=(
        "Seconds an idle kernel that never got a websocket (and is not waiting in the "
        "pre-heated pool) is kept before it is shut down [s]; 0 disables the rule."))
    reap_interval = Float(5.0, config=True, help="Seconds between two checks of the rules above [s].")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._alone_since: dict[str, float] = {}
        self._connected_once: set[str] = set()
        self._handed_out: dict[str, float] = {}
        self._was_pooled: set[str] = set()
        self._reaper: PeriodicCallback | None = None

    # --- bookkeeping --------------------------------------------------------------------

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._connected_once.add(kernel_id)
        self._alone_since.pop(kernel_id, None)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id, 0) <= 0:
            self._alone_since[kernel_id] = time.monotonic()

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id = await ensure_async(super().start_kernel(*args, **kwargs))
        self._handed_out[kernel_id] = time.monotonic()
        self._start_reaper()
        return kernel_id

    def _forget(self, kernel_id: str) -> None:
        for book in (self._alone_since, self._handed_out):
            book.pop(kernel_id, None)
        self._connected_once.discard(kernel_id)
        self._was_pooled.discard(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
        finally:
            self._forget(kernel_id)

    # --- which kernels serve pages ------------------------------------------------------

    def pooled_kernels(self) -> tuple[set[str], int]:
        """Kernels waiting in Voila's pre-heated pools, and pool kernels still starting."""
        ready, starting = set(), 0
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if not task.done():
                    starting += 1
                    continue
                with contextlib.suppress(Exception):
                    ready.add(task.result()["kernel_id"])
        return ready, starting

    def page_kernels(self) -> list[str]:
        """Kernels serving a page (or a page being rendered): every kernel but the pool's."""
        ready, starting = self.pooled_kernels()
        kernels = [k for k in self.list_kernel_ids() if k not in ready]
        # a pool kernel still starting may already be registered: do not count it as a page's
        return kernels[:max(0, len(kernels) - starting)] if starting else kernels

    # --- the rules ------------------------------------------------------------------------

    def _start_reaper(self) -> None:
        if self._reaper is None and (self.disconnect_grace > 0 or self.connect_timeout > 0):
            self._reaper = PeriodicCallback(self.reap, 1000 * max(0.5, self.reap_interval))
            self._reaper.start()
            self.log.info("Shutting page kernels down %.0f s after their page's last connection "
                          "closed; never-connected kernels after %.0f s idle",
                          self.disconnect_grace, self.connect_timeout)

    def _kernels_to_end(self, now: float) -> list[tuple[str, str]]:
        ready, _ = self.pooled_kernels()
        for kernel_id in self._was_pooled - ready:   # taken from the pool by a page just now
            self._handed_out[kernel_id] = now
        self._was_pooled = set(ready)
        ending = []
        for kernel_id in list(self.list_kernel_ids()):
            if kernel_id in ready:
                continue
            connections = self._kernel_connections.get(kernel_id, 0)
            if connections > 0:
                continue
            since = self._alone_since.get(kernel_id)
            if since is not None and self.disconnect_grace > 0 and now - since >= self.disconnect_grace:
                ending.append((kernel_id, f"its page's connection closed {now - since:.0f} s ago"))
            elif kernel_id not in self._connected_once and self.connect_timeout > 0:
                kernel = self._kernels.get(kernel_id)
                if kernel is None or getattr(kernel, "execution_state", None) == "busy":
                    continue
                waited = now - self._handed_out.get(kernel_id, now)
                last = getattr(kernel, "last_activity", None)
                if last is not None:  # executing the page counts as activity
                    waited = min(waited, (utcnow() - last).total_seconds())
                if waited >= self.connect_timeout:
                    ending.append((kernel_id, f"no page connected to it in {waited:.0f} s"))
        return ending

    async def reap(self) -> None:
        """Shut down the kernels whose page has gone (see the class's rules)."""
        for kernel_id, why in self._kernels_to_end(time.monotonic()):
            self.log.info("Shutting down kernel %s: %s", kernel_id, why)
            try:
                await ensure_async(self.shutdown_kernel(kernel_id))
            except Exception as exc:  # already gone, or shutting down: next round decides
                self.log.warning("Could not shut down kernel %s: %s", kernel_id, exc)


class PlannerRenderHandler(TornadoVoilaHandler):
    """Voila's page handler with a kernel cap and the ``_xsrf`` cookie set."""

    _starting = 0  # renders that have not got their kernel yet (class-wide: one app per process)

    async def get(self, path: str | None = None) -> None:
        app: PlannerVoila = self.settings["planner_app"]
        manager = self.kernel_manager
        cap = app.max_kernels
        if cap > 0 and hasattr(manager, "page_kernels"):
            live = len(manager.page_kernels()) + PlannerRenderHandler._starting
            if live >= cap:
                self.log.warning("Busy: %d page kernels (cap %d); answered 503 to %s", live, cap,
                                 self.request.path)
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(BUSY_PAGE.format(count=html.escape(str(cap))))
                return
        # Voila's widget manager posts /voila/api/shutdown/<kernel> on beforeunload with the
        # _xsrf cookie's value; reading xsrf_token makes tornado set that cookie.
        _ = self.xsrf_token
        PlannerRenderHandler._starting += 1
        waiting = True
        try:
            async for chunk in self.get_generator(path=path):
                if waiting:  # the kernel now exists (started, or taken from the pool)
                    PlannerRenderHandler._starting -= 1
                    waiting = False
                self.write(local_assets(chunk, self.base_url))
                self.flush()
        finally:
            if waiting:
                PlannerRenderHandler._starting -= 1


class PlannerKernelWebsocketHandler(VoilaKernelWebsocketHandler):
    """Voila's kernel websocket, for a page that leaves during the handshake.

    jupyter_server drops the handler's connection when the client goes away
    (``on_close``) while the handshake still waits for the kernel; tornado then
    asks it for the subprotocol and it fails with an AttributeError (HTTP 500
    and a traceback in the log). A page that closes right after it loaded does
    exactly that; here the socket is simply closed.
    """

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        if self.connection is None:
            return None
        return super().select_subprotocol(subprotocols)

    async def open(self, kernel_id: str) -> None:  # type: ignore[override]
        if self.connection is None:
            self.close()
            return
        await super().open(kernel_id)

    def on_close(self) -> None:
        if self.connection is not None:
            super().on_close()


class CachedLabextensionsHandler(FileFindHandler):
    """Lab-extension files: content-hashed names are immutable, the rest revalidate."""

    def set_headers(self) -> None:
        super().set_headers()
        if _HASHED.search(self.request.path):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.set_header("Cache-Control", "no-cache")


class CachedStaticHandler(FileFindHandler):
    """The planner's own static files (Font Awesome): cached a day, then revalidated."""

    def set_headers(self) -> None:
        super().set_headers()
        self.set_header("Cache-Control", "public, max-age=86400")


class PlannerVoila(Voila):
    """Voila with the page-kernel rules, the cap and the asset settings above."""

    max_kernels = Int(0, config=True, help=(
        "Most page kernels alive at once (pre-heated pool kernels not counted); a visitor "
        "beyond it gets a 'busy, try again in a minute' page (HTTP 503). 0: no cap."))

    pool_sizes = Dict(value_trait=Int(), config=True, help=(
        "Pre-heated kernels per notebook, e.g. {'overview.ipynb': 2}; the others get "
        "VoilaConfiguration.default_pool_size (``--pool_size``). Only with --preheat_kernel=True."))

    def initialize(self, argv: Any = None) -> None:
        token = os.environ.get(TOKEN_ENV)
        if token:
            self.token = token
        super().initialize(argv)
        manager = self.voila_configuration.multi_kernel_manager_class
        if not (isinstance(manager, type) and issubclass(manager, PlannerKernelManager)):
            self.voila_configuration.multi_kernel_manager_class = PlannerKernelManager
        if self.pool_sizes:
            # Voila's pool configuration (voila/voila_kernel_manager.py, kernel_pools_config:
            # notebook path -> {"pool_size": n}, with a "default" entry)
            pools = dict(self.config.VoilaKernelManager.get("kernel_pools_config", {}) or {})
            pools.setdefault("default", {"pool_size": max(self.voila_configuration.default_pool_size, 0)})
            for name, size in self.pool_sizes.items():
                pools[name] = {**pools.get(name, {}), "pool_size": max(int(size), 0)}
            self.config.VoilaKernelManager.kernel_pools_config = pools

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        settings["planner_app"] = self
        return settings

    def init_handlers(self) -> list[Any]:
        handlers = []
        for rule in super().init_handlers():
            pattern, handler, *rest = rule
            if handler is TornadoVoilaHandler:
                handler = PlannerRenderHandler
            elif handler is VoilaKernelWebsocketHandler:
                handler = PlannerKernelWebsocketHandler
            elif handler is FileFindHandler and pattern.endswith("/voila/labextensions/(.*)"):
                handler = CachedLabextensionsHandler
                rest = [{**rest[0], "no_cache_paths": []}] if rest else rest
            handlers.append((pattern, handler, *rest))
        handlers.insert(0, (url_path_join(self.server_url, STATIC_URL + "(.*)"), CachedStaticHandler,
                            {"path": str(STATIC_DIR)}))
        return handlers


main = PlannerVoila.launch_instance

if __name__ == "__main__":
    sys.exit(main())
