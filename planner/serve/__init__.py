"""Serving the dashboards: :mod:`planner.serve.server` builds and runs the Voila
command (``python -m planner.serve``) and re-executes the stored notebooks;
:mod:`planner.serve.voila_app` is the Voila application it starts, with the
page, kernel and asset rules described there."""

from planner.serve.server import ServeError, ServeOptions, check_auth, is_loopback, main, parse_pools

__all__ = ["ServeError", "ServeOptions", "check_auth", "is_loopback", "main", "parse_pools"]
