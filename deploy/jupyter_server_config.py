"""Each person's server under JupyterHub: jupyter_server with Voila's server extension.

``deploy/jupyterhub_config.py`` starts every single-user server with
``--config=<this file>``. The server extension reads Jupyter's own
configuration, not ``voila.json`` in the working directory, so the
repository's ``voila.json`` is read here and given to the same classes.
Config names: "Config file and command line options",
https://jupyter-server.readthedocs.io/en/latest/other/full-config.html, and
Voila's "Customizing Voilà", https://voila.readthedocs.io/en/stable/customize.html.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821  (defined by Jupyter when it loads this file)

_VOILA = json.loads((Path(__file__).resolve().parents[1] / "voila.json").read_text())
for _section in ("VoilaConfiguration", "VoilaExecutor"):
    for _key, _value in _VOILA.get(_section, {}).items():
        c[_section][_key] = _value
# standalone Voila's tornado settings (the websocket's message limit, for large uploads)
# belong to the Jupyter server here
c.ServerApp.tornado_settings = dict(_VOILA.get("Voila", {}).get("tornado_settings", {}))
# An open page's kernel websocket is pinged every 30 s (jupyter_server's default; the
# tornado setting ws_ping_interval [ms]). The hub's proxy counts the browser's answers as
# activity, so a page left open keeps its server from the idle culler. The hub test pings
# more often (PLANNER_WS_PING_INTERVAL_MS) to keep its culling timeout short.
c.ServerApp.tornado_settings["ws_ping_interval"] = int(os.environ.get("PLANNER_WS_PING_INTERVAL_MS", "30000"))

# A page's kernel ends when its page closes: planner.serve.voila_app.PlannerKernelManager ends a
# kernel 20 s after its page's last websocket closed (PlannerKernelManager.disconnect_grace).
# jupyter_server's idle culling is the backstop: idle kernels end after 10 minutes, checked
# every minute (MappingKernelManager.cull_idle_timeout / cull_interval).
c.ServerApp.kernel_manager_class = "planner.serve.voila_app.PlannerKernelManager"
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
