"""Shared numba helpers for the radial sweeps (viewshed and path loss).

Ray geometry (R2 sweep)
-----------------------
For a window of half-size ``R`` cells around the observer there is one ray per perimeter cell of the
square ``[-R, R]²``: ``8R`` rays. A ray is ``(side, k)``: side 0 = east, 1 = west (major axis = columns,
``k`` in ``[-R, R]``), 2 = south, 3 = north (major axis = rows, ``k`` in ``[-R+1, R-1]``; the corners belong
to east/west). At step ``i`` (major offset ``i`` cells) the ray crosses the grid line through the cell
centres of that column (or row) at minor offset ``m = i·k/R``; the terrain there is linearly interpolated
between the two cells either side, and the cell the ray is in is ``j = round(m)``.

Every cell in the window is *owned* by exactly one block of rays, the one holding the ray that passes
closest to its centre (``k = round(j·R/i)``, at most half a cell away; a centre exactly half-way
between two rays takes the higher ``k``, round half up), and is written once: the sweep is
deterministic and race-free (no two threads write the same cell). The viewshed interpolates the horizon
between the two rays bracketing the cell centre; the path-loss sweep uses the nearest ray's profile.

Rays are processed in blocks of ``BLOCK`` neighbouring rays of one side, step by step (all rays of the
block advance to major offset ``i`` together): at step ``i`` the cells of that row/column owned by the
block are decided, then every ray of the block takes in the terrain at its crossing. Neighbouring rays
touch the same cache lines and memory pages, which is what makes the sweep fast; blocks run in parallel.

Note: the kernels inline these helpers, and numba's on-disk cache only watches the kernels' own files.
After editing this module delete ``analysis/__pycache__/{viewshed,propagation}.*.nb[ic]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EARTH_RADIUS_M = 6_371_000.0
SPEED_OF_LIGHT_MHZ_M = 299.792458  # c / 1 MHz in metres: wavelength = this / f_MHz


@njit(nogil=True, cache=True, inline="always")
def cell_offset(side, i, j):
    """(row offset, col offset) of major offset ``i``, minor offset ``j`` on ``side``."""
    if side == 0:
        return j, i
    if side == 1:
        return j, -i
    if side == 2:
        return i, j
    return -i, j


J_NU0 = -0.78
J_STEP = 0.005
J_INV_STEP = 200.0
J_N = 12000  # table up to ν = −0.78 + 60


def _j_exact(nu):
    x = nu - 0.1
    return 6.9 + 20.0 * np.log10(np.sqrt(x * x + 1.0) + x)


J_TABLE = _j_exact(J_NU0 + J_STEP * np.arange(J_N + 1)).astype(np.float64)


@njit(nogil=True, cache=True, inline="always")
def knife_edge_j_fast(nu, table):
    """J(ν) from ``J_TABLE`` (linear interpolation, error < 0.001 dB); the formula beyond the table."""
    if nu <= J_NU0:
        return 0.0
    x = (nu - J_NU0) * J_INV_STEP
    if x >= J_N:
        y = nu - 0.1
        return 6.9 + 20.0 * math.log10(math.sqrt(y * y + 1.0) + y)
    i = int(x)
    w = x - i
    return table[i] + w * (table[i + 1] - table[i])


BLOCK = 64  # rays swept together, step by step: neighbouring rays share cache lines and pages
PREFETCH_CELLS = 16  # east/west rays walk down columns: one 64-byte line of float32 ahead
PREFETCH_ROWS = 2  # north/south rays: two rows ahead


@njit(nogil=True, cache=True, inline="always")
def ray_blocks(R):
    """Number of blocks of up to BLOCK consecutive rays (never spanning two sides)."""
    n_ew = (2 * R + 1 + BLOCK - 1) // BLOCK
    n_ns = (2 * R - 1 + BLOCK - 1) // BLOCK
    return 2 * n_ew + 2 * n_ns


@njit(nogil=True, cache=True, inline="always")
def block_of(blk, R):
    """Block index → (side, first k, number of rays)."""
    n_ew = (2 * R + 1 + BLOCK - 1) // BLOCK
    n_ns = (2 * R - 1 + BLOCK - 1) // BLOCK
    if blk < 2 * n_ew:
        side = blk // n_ew
        b = blk - side * n_ew
        k_lo = -R + b * BLOCK
        k_hi = min(R, k_lo + BLOCK - 1)
    else:
        bb = blk - 2 * n_ew
        side = 2 + bb // n_ns
        b = bb - (side - 2) * n_ns
        k_lo = -R + 1 + b * BLOCK
        k_hi = min(R - 1, k_lo + BLOCK - 1)
    return side, k_lo, k_hi - k_lo + 1
