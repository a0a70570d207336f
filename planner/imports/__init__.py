"""Starting from an estate's real usage: the Dynatrace API client
(:mod:`~planner.imports.dynatrace`), the translation of what it returns into a
scenario and actuals (:mod:`~planner.imports.baseline`), growth fitted per driver
(:mod:`~planner.imports.calibrate`) and the model against the actuals
(:mod:`~planner.imports.backtest`)."""
