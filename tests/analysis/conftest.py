"""Synthetic DEM fixtures for the radio-engine tests (seeded, no files)."""

from __future__ import annotations

import numpy as np
import pytest


def fractal_dem(n: int, *, seed: int, relief: float = 900.0, beta: float = 3.2, base: float = 300.0,
                ridges: float = 0.35) -> np.ndarray:
    """Seeded "realistic" synthetic mountains: spectral fractal (power-law spectrum, exponent ``beta``)
    with a ridged component, scaled to ``relief`` metres above ``base``. float32, shape (n, n)."""
    rng = np.random.default_rng(seed)
    kx = np.fft.fftfreq(n)
    ky = np.fft.rfftfreq(n)
    k = np.hypot(kx[:, None], ky[None, :])
    k[0, 0] = 1.0
    amp = k ** (-beta / 2.0)
    amp[0, 0] = 0.0

    def field():
        ph = rng.normal(size=amp.shape) + 1j * rng.normal(size=amp.shape)
        z = np.fft.irfft2(amp * ph, s=(n, n))
        return (z - z.mean()) / z.std()

    z = field()
    ridge = 1.0 - np.abs(field())  # sharp crests where the second field crosses zero
    z = z + ridges * 2.0 * ridge
    z = (z - z.min()) / (z.max() - z.min())
    return (base + relief * z).astype(np.float32)


@pytest.fixture(scope="session")
def mountains():
    """Factory: ``mountains(n, seed, relief=...)`` → seeded synthetic DEM (float32)."""
    return fractal_dem


@pytest.fixture(scope="session")
def dem_301():
    return fractal_dem(301, seed=11)
