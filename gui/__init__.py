"""PyQt6 desktop application. Calls coverage_planner only; holds no analysis logic."""
