"""The hub test's JupyterHub configuration: the deployment's, plus what a test needs.

Loads ``deploy/jupyterhub_config.py`` (the file docs/deploy.md points at) and
changes only: who logs in (JupyterHub's SharedPasswordAuthenticator, the
allowed users), the spawner (SimpleLocalProcessSpawner: local processes, no
system users, homes under the test's folder), ports and state files (free
ports on 127.0.0.1, a temporary folder), and timeouts short enough for a
test. ``tests/browser/hub_server.py`` sets the ``PLANNER_HUB_*`` variables.

Config names: JupyterHub's "Authenticators" reference
(https://jupyterhub.readthedocs.io/en/stable/reference/api/auth.html:
``SharedPasswordAuthenticator.user_password``, ``Authenticator.allowed_users``;
"Setting a password on DummyAuthenticator is deprecated" since 5.3, hence the
shared-password one), "Spawners" (``SimpleLocalProcessSpawner.home_dir_template``,
"only use this for testing"), "Application configuration" (``bind_url``,
``hub_bind_url``, ``last_activity_interval``), and the jupyterhub-idle-culler
README (``--timeout``, ``--cull-every``).
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821
load_subconfig(str(Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub_config.py"))  # noqa: F821

env = os.environ
state = Path(env["PLANNER_HUB_STATE"])

# --- where: 127.0.0.1 only, free ports, state in the test's folder ----------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{env['PLANNER_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env['PLANNER_HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['PLANNER_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [env["PLANNER_HUB_PROXY"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# --- who: two (or more) allowed users with one shared password ------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env["PLANNER_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(env["PLANNER_HUB_USERS"].split(","))

# --- how: local processes without system users; root (CI) needs --allow-root ----------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.args = [*c.Spawner.args,
                  f"--PlannerKernelManager.disconnect_grace={env['PLANNER_HUB_KERNEL_GRACE']}",
                  "--PlannerKernelManager.reap_interval=1",
                  *(["--allow-root"] if os.getuid() == 0 else [])]

# an open page's websocket is pinged every 3 s (deploy/jupyter_server_config.py): the proxy
# counts the browser's answers as activity, so an open page keeps its server from the culler
c.Spawner.environment.update({"PLANNER_WS_PING_INTERVAL_MS": "3000"})

# --- a token for the test's harness (hub_server.HubServer.stop_server): a service allowed
# to stop servers ("Services" and "Roles" in JupyterHub's reference)
c.JupyterHub.services.append({"name": "planner-test", "api_token": env["PLANNER_HUB_API_TOKEN"]})
c.JupyterHub.load_roles.append({"name": "planner-test-role", "scopes": ["admin:servers", "list:users"],
                                "services": ["planner-test"]})

# --- short timeouts: the hub asks the proxy for activity every 5 s, the culler looks every
# PLANNER_HUB_CULL_EVERY s and stops servers idle PLANNER_HUB_CULL_TIMEOUT s
c.JupyterHub.last_activity_interval = 5
for service in c.JupyterHub.services:
    if service["name"] == "jupyterhub-idle-culler":
        service["command"] = [*(a for a in service["command"] if not a.startswith("--timeout=")),
                              f"--timeout={env['PLANNER_HUB_CULL_TIMEOUT']}",
                              f"--cull-every={env['PLANNER_HUB_CULL_EVERY']}"]
