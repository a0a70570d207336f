"""One module per dashboard notebook in ``notebooks/``: inputs -> a pure compute
step -> a view model -> rendering (see docs/architecture.md)."""
