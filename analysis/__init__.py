"""Numerical kernels: viewshed, propagation, antennas, link budget, coverage, gaps, placement.

Pure functions on numpy arrays and plain parameters. No file I/O, no Qt, no geopandas.
"""

class AnalysisError(ValueError):
    """Invalid arguments to an analysis function (a quantity out of range, wrong shape...).

    ``coverage_planner.errors.ParameterError`` wraps these at the application boundary.
    """
