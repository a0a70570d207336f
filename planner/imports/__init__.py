"""Starting from an estate's real usage: the Dynatrace API client
(:mod:`~planner.imports.dynatrace`); the import's entry points
(:mod:`~planner.imports.baseline`) and its steps, the months
(:mod:`~planner.imports.window`), the billing metrics
(:mod:`~planner.imports.metrics`), reading what the API returns
(:mod:`~planner.imports.payloads`), its translation into drivers and actuals
(:mod:`~planner.imports.translate`), the scenario file
(:mod:`~planner.imports.scenario_yaml`) and writing it all or nothing
(:mod:`~planner.imports.output`); growth fitted per driver
(:mod:`~planner.imports.calibrate`), the model against the actuals
(:mod:`~planner.imports.backtest`) and DPS billing events
(:mod:`~planner.imports.dps_events`)."""
