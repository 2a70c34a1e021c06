"""Antenna patterns: omni, 3GPP TR 36.814 sector, tilt, and MSI/Planet pattern files (parsed from text).

Angles: azimuths in degrees clockwise from grid north; the *relative azimuth* φ is the target's azimuth
minus the antenna's boresight, wrapped to (−180, 180]. The *depression angle* θ is positive below the
horizon (a target lower than the antenna), in degrees. Attenuations are positive dB relative to the
boresight gain (the EIRP is the boresight EIRP).

3GPP TR 36.814 (Table A.2.1.1-2) 3-D pattern::

    A_H(φ) = min(12·(φ/φ3dB)², Am)                 Am  = front-to-back ratio (default 25 dB)
    A_V(θ) = min(12·((θ − θtilt)/θ3dB)², SLAv)      SLAv = 20 dB
    A(φ, θ) = min(A_H(φ) + A_V(θ), Am)

Tilt: electrical tilt shifts the vertical pattern in every direction; mechanical tilt tilts the whole
antenna, so its effect on the depression angle is ``mech·cos φ`` (full at boresight, none at ±90°, an
up-tilt behind). ``θtilt = elec + mech·cos φ``. An omni antenna has ``A_H = 0`` and the same vertical
pattern (cap SLAv); having no boresight, its mechanical tilt counts as a uniform down-tilt.

MSI/Planet files (``NAME``, ``FREQUENCY``, ``GAIN x dBi|dBd``, ``TILT``, ``HORIZONTAL 360`` + 360 lines
``angle loss_dB``, ``VERTICAL 360`` + 360 lines): values are losses relative to the peak. Horizontal
angles are read as clockwise from boresight (patterns are almost always symmetric; pass
``horizontal_clockwise=False`` for files measured counter-clockwise). Vertical angles: 0 = horizon,
90 = straight down, 270 = straight up; the front half of the cut (angles −90…+90) is used and any
electrical tilt is already in the data. Combined as ``min(H(φ) + V(θ − mech·cos φ), max(H ∪ V))``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from analysis import AnalysisError

SLA_V_DB = 20.0
_H_STEP = 0.1  # table resolution (degrees)
_V_STEP = 0.1


def wrap180(deg):
    """Wrap angles to (−180, 180]."""
    a = np.mod(np.asarray(deg, dtype=float) + 180.0, 360.0) - 180.0
    return np.where(a == -180.0, 180.0, a)


def horizontal_db(phi_deg, beamwidth_deg=65.0, front_to_back_db=25.0):
    """3GPP horizontal attenuation ``min(12(φ/φ3dB)², Am)`` (dB) at relative azimuth φ."""
    phi = wrap180(phi_deg)
    return np.minimum(12.0 * (phi / float(beamwidth_deg)) ** 2, float(front_to_back_db))


def vertical_db(theta_deg, tilt_deg=0.0, vertical_beamwidth_deg=10.0, sla_db=SLA_V_DB):
    """3GPP vertical attenuation ``min(12((θ−θtilt)/θ3dB)², SLAv)`` (dB) at depression angle θ."""
    th = np.asarray(theta_deg, dtype=float) - np.asarray(tilt_deg, dtype=float)
    return np.minimum(12.0 * (th / float(vertical_beamwidth_deg)) ** 2, float(sla_db))


def attenuation_db(phi_deg, theta_deg, *, omni=False, beamwidth_deg=65.0, front_to_back_db=25.0,
                   vertical_beamwidth_deg=10.0, mech_tilt_deg=0.0, elec_tilt_deg=0.0, sla_db=SLA_V_DB):
    """Total pattern attenuation (dB) of an omni or 3GPP sector antenna (formulas in the module notes)."""
    phi = wrap180(phi_deg)
    if omni:
        tilt = float(elec_tilt_deg) + float(mech_tilt_deg)
        return np.minimum(vertical_db(theta_deg, tilt, vertical_beamwidth_deg, sla_db), float(sla_db))
    tilt = float(elec_tilt_deg) + float(mech_tilt_deg) * np.cos(np.radians(phi))
    av = vertical_db(theta_deg, tilt, vertical_beamwidth_deg, sla_db)
    ah = horizontal_db(phi, beamwidth_deg, front_to_back_db)
    return np.minimum(ah + av, float(front_to_back_db))


@dataclass
class Pattern:
    """A measured antenna pattern (MSI/Planet): losses (dB ≥ 0) every degree, 360 values per cut."""

    horizontal: np.ndarray  # loss at relative azimuth 0..359°, clockwise
    vertical: np.ndarray  # loss at vertical angle 0..359° (0 horizon, 90 down, 270 up)
    gain_dbi: float = float("nan")
    frequency_mhz: float = float("nan")
    name: str = ""
    electrical_tilt_deg: float = 0.0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("horizontal", "vertical"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.shape != (360,) or not np.all(np.isfinite(arr)):
                raise AnalysisError(f"pattern {name} cut must have 360 finite values (one per degree), got {arr.shape}")
            setattr(self, name, arr)


def _float(token: str, what: str, line_no: int) -> float:
    try:
        return float(token.replace(",", "."))
    except ValueError:
        raise AnalysisError(f"MSI pattern line {line_no}: {what} {token!r} is not a number") from None


def _cut(points: list[tuple[float, float]], what: str) -> np.ndarray:
    """Resample (angle, loss) points to a 1° grid, periodic linear interpolation."""
    if len(points) < 2:
        raise AnalysisError(f"MSI pattern: the {what} cut has {len(points)} point(s); at least 2 are needed")
    ang = np.array([p[0] for p in points]) % 360.0
    loss = np.array([p[1] for p in points])
    order = np.argsort(ang, kind="stable")
    ang, loss = ang[order], loss[order]
    ang, idx = np.unique(ang, return_index=True)
    loss = loss[idx]
    loss = loss - loss.min() if loss.min() < 0 else loss  # some files give gains relative to peak (≤ 0)
    return np.interp(np.arange(360.0), ang, loss, period=360.0)


def parse_msi(text: str, *, horizontal_clockwise: bool = True) -> Pattern:
    """Parse an MSI/Planet antenna file's text (see module notes). Raises :class:`AnalysisError`."""
    header: dict[str, str] = {}
    cuts: dict[str, list[tuple[float, float]]] = {}
    expected: dict[str, int] = {}
    current = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split()
        key = parts[0].upper()
        if key in ("HORIZONTAL", "VERTICAL"):
            current = key.lower()
            cuts[current] = []
            expected[current] = int(_float(parts[1], "point count", no)) if len(parts) > 1 else -1
            continue
        if current is not None and re.match(r"^[-+]?\d", parts[0]):
            if len(parts) < 2:
                raise AnalysisError(f"MSI pattern line {no}: expected 'angle loss', got {line!r}")
            cuts[current].append((_float(parts[0], "angle", no), _float(parts[1], "loss", no)))
            continue
        current = None
        header[key] = line[len(parts[0]):].strip()
    for name in ("horizontal", "vertical"):
        if name not in cuts:
            raise AnalysisError(f"MSI pattern has no {name.upper()} section; is this an MSI/Planet (.msi/.pln) file?")
        if expected[name] > 0 and len(cuts[name]) != expected[name]:
            raise AnalysisError(
                f"MSI pattern {name.upper()} section announces {expected[name]} points but has {len(cuts[name])}")
    h = _cut(cuts["horizontal"], "horizontal")
    if not horizontal_clockwise:
        h = np.roll(h[::-1], 1)
    v = _cut(cuts["vertical"], "vertical")
    gain = float("nan")
    if "GAIN" in header:
        gparts = header["GAIN"].split()
        gain = _float(gparts[0], "GAIN", 0)
        if len(gparts) > 1 and gparts[1].lower() == "dbd":
            gain += 2.15
    freq = float("nan")
    if "FREQUENCY" in header and header["FREQUENCY"]:
        freq = _float(header["FREQUENCY"].split()[0], "FREQUENCY", 0)
    tilt = 0.0
    if "TILT" in header:
        nums = re.findall(r"[-+]?\d+(?:\.\d+)?", header["TILT"])
        if nums:
            tilt = float(nums[0])
    return Pattern(horizontal=h, vertical=v, gain_dbi=gain, frequency_mhz=freq, name=header.get("NAME", ""),
                   electrical_tilt_deg=tilt, extra=header)


def pattern_attenuation_db(pattern: Pattern, phi_deg, theta_deg, mech_tilt_deg=0.0):
    """Attenuation (dB) of a measured pattern at relative azimuth φ and depression angle θ."""
    phi = np.mod(np.asarray(phi_deg, dtype=float), 360.0)
    ah = np.interp(phi, np.arange(361.0), np.append(pattern.horizontal, pattern.horizontal[0]))
    th = np.asarray(theta_deg, dtype=float) - float(mech_tilt_deg) * np.cos(np.radians(phi))
    th = np.clip(th, -90.0, 90.0)
    vert = np.mod(th, 360.0)
    av = np.interp(vert, np.arange(361.0), np.append(pattern.vertical, pattern.vertical[0]))
    cap = max(pattern.horizontal.max(), pattern.vertical.max())
    return np.minimum(ah + av, cap)


def tables(*, azimuth_deg=None, beamwidth_deg=65.0, front_to_back_db=25.0, vertical_beamwidth_deg=10.0,
           mech_tilt_deg=0.0, elec_tilt_deg=0.0, pattern: Pattern | None = None):
    """Lookup tables for the sweep kernel: ``(h_table[3600], v_table[1801], boresight, mech_tilt, cap)``.

    ``h_table[i]``: horizontal attenuation at relative azimuth ``i·0.1°``; ``v_table[i]``: vertical
    attenuation at ``θ' = i·0.1° − 90°`` where ``θ' = θ − mech·cos φ`` (electrical tilt is inside the
    table). The kernel adds the two and caps the sum at ``cap``. Omni: ``azimuth_deg=None``.
    """
    phi = np.arange(3600) * _H_STEP
    theta = np.arange(1801) * _V_STEP - 90.0
    if pattern is not None:
        h = np.interp(phi, np.arange(361.0), np.append(pattern.horizontal, pattern.horizontal[0]))
        v = np.interp(np.mod(theta, 360.0), np.arange(361.0), np.append(pattern.vertical, pattern.vertical[0]))
        cap = float(max(pattern.horizontal.max(), pattern.vertical.max()))
        bore = 0.0 if azimuth_deg is None else float(azimuth_deg)
    else:
        if vertical_beamwidth_deg is None or not vertical_beamwidth_deg > 0:
            raise AnalysisError(f"vertical_beamwidth_deg must be > 0, got {vertical_beamwidth_deg}")
        v = vertical_db(theta, elec_tilt_deg, vertical_beamwidth_deg)
        if azimuth_deg is None:
            # an omni has no boresight: any tilt is a uniform down-tilt
            v = vertical_db(theta, float(elec_tilt_deg) + float(mech_tilt_deg), vertical_beamwidth_deg)
            h = np.zeros(3600)
            cap = SLA_V_DB
            bore = 0.0
            mech_tilt_deg = 0.0
        else:
            if not beamwidth_deg > 0:
                raise AnalysisError(f"beamwidth_deg must be > 0, got {beamwidth_deg}")
            if not front_to_back_db >= 0:
                raise AnalysisError(f"front_to_back_db must be ≥ 0, got {front_to_back_db}")
            h = horizontal_db(phi, beamwidth_deg, front_to_back_db)
            cap = float(front_to_back_db)
            bore = float(azimuth_deg)
    return (h.astype(np.float32), v.astype(np.float32), bore, float(mech_tilt_deg), cap)
