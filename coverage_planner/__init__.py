"""coverage-planner: mobile coverage and gap analysis for polling stations and commune centres."""

__version__ = "0.1.0"
