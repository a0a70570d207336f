"""JupyterHub configuration for the planner's dashboards: one server per person.

Run from a checkout of the repository, in the environment the planner is
installed in (``pip install -e '.[app]' jupyterhub jupyterhub-idle-culler``,
``npm install --prefix deploy`` for the proxy)::

    jupyterhub -f deploy/jupyterhub_config.py

What it sets (docs/deploy.md, section "JupyterHub", explains each choice):

* the proxy: configurable-http-proxy from ``deploy/node_modules`` when
  ``npm install --prefix deploy`` put it there, else the one on ``PATH``;
* each person's server: jupyter_server with Voila's server extension, started
  with the hub's own Python, opening the dashboards' landing page; a page's
  kernel ends when its page closes (the planner's kernel manager);
* the hub's idle culler (jupyterhub-idle-culler) as a hub-managed service;
* limits: servers at once, memory per server (container spawners only).

Who may log in is your site's choice: set ``c.JupyterHub.authenticator_class``
(OAuth, LDAP, PAM) and ``c.Authenticator.allowed_users`` in a file that loads
this one (``load_subconfig``), as ``tests/browser/hub_test_config.py`` does for
the test. Config names: JupyterHub's reference, "Application configuration"
https://jupyterhub.readthedocs.io/en/stable/reference/api/app.html and
"Spawners" https://jupyterhub.readthedocs.io/en/stable/reference/api/spawner.html;
the jupyterhub-idle-culler README, https://github.com/jupyterhub/jupyterhub-idle-culler.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (defined by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
NOTEBOOKS = REPOSITORY / "notebooks"
#: Seconds a person's server may be idle (no page open, no request) before the culler stops it.
IDLE_SERVER_TIMEOUT = 3600

# --- proxy ------------------------------------------------------------------------------
# configurable-http-proxy from the npm registry (ConfigurableHTTPProxy.command, "Proxy"
# reference: https://jupyterhub.readthedocs.io/en/stable/reference/api/proxy.html)
_chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if _chp.exists():
    c.ConfigurableHTTPProxy.command = [str(_chp)]

# --- each person's server -----------------------------------------------------------------
# Spawner.cmd: "the command used for starting the single-user server"; the hub's own Python,
# so the server runs in the environment that has the planner and Voila installed.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
# Spawner.notebook_dir: the server's root; Spawner.default_url: where a person lands after
# logging in (relative to /user/<name>/), here the dashboards' landing page through Voila's
# server extension (/voila/render/<path>).
c.Spawner.notebook_dir = "~/planner"
c.Spawner.default_url = "/voila/render/notebooks/index.ipynb"

# The single-user server's own settings (Voila's, the kernel rules): deploy/jupyter_server_config.py
c.Spawner.args = [f"--config={HERE / 'jupyter_server_config.py'}"]


def copy_dashboards(spawner):
    """Spawner.pre_spawn_hook: put the dashboards in the person's ``~/planner/notebooks``
    the first time their server starts (a container image would ship them instead)."""
    home = getattr(spawner, "home_dir", None)
    owner = None
    if not home:
        import pwd
        try:
            entry = pwd.getpwnam(spawner.user.name)
        except KeyError:
            return  # no system user (container spawners): the image holds the notebooks
        home, owner = entry.pw_dir, (entry.pw_uid, entry.pw_gid)
    target = Path(home) / "planner" / "notebooks"
    if target.exists():
        return
    shutil.copytree(NOTEBOOKS, target)
    if owner is not None and os.getuid() == 0:
        for path in [target.parent, target, *target.rglob("*")]:
            os.chown(path, *owner)


c.Spawner.pre_spawn_hook = copy_dashboards

# Memory: one server (about 0.16 GB) + about 0.135 GB per open dashboard page (docs/deploy.md,
# "Sizing the hub"), so 1.5 GB holds about 9 pages; enforced by container spawners (DockerSpawner, KubeSpawner), ignored by the
# local process spawner.
c.Spawner.mem_limit = "1.5G"
c.Spawner.mem_guarantee = "0.5G"
c.Spawner.cpu_limit = 1

# At most 12 people's servers at once; the 13th is asked to try again (HTTP 429)
c.JupyterHub.active_server_limit = 12

# --- the idle culler (jupyterhub-idle-culler, a hub-managed service) ------------------------
# The scopes its README lists: list:users, read:users:activity, read:servers, delete:servers.
c.JupyterHub.load_roles = [{
    "name": "jupyterhub-idle-culler-role",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["jupyterhub-idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "jupyterhub-idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_SERVER_TIMEOUT}"],
}]
