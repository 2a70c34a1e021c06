"""Antenna patterns: 3GPP TR 36.814 sector values, tilt, MSI parsing, and the kernel's lookup tables."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import AnalysisError
from analysis import antenna as ant


@pytest.mark.parametrize("bw", [65.0, 90.0])
def test_3gpp_horizontal_values(bw):
    assert float(ant.horizontal_db(0.0, bw, 25.0)) == pytest.approx(0.0)
    assert float(ant.horizontal_db(bw / 2, bw, 25.0)) == pytest.approx(3.0)
    assert float(ant.horizontal_db(-bw / 2, bw, 25.0)) == pytest.approx(3.0)
    assert float(ant.horizontal_db(180.0, bw, 25.0)) == pytest.approx(25.0)  # front-to-back
    assert float(ant.horizontal_db(540.0, bw, 25.0)) == pytest.approx(25.0)  # wrapped


def test_vertical_and_tilt():
    # maximum at the tilt, 3 dB at ± half the vertical beamwidth, side-lobe floor 20 dB
    assert float(ant.vertical_db(6.0, 6.0, 10.0)) == pytest.approx(0.0)
    assert float(ant.vertical_db(11.0, 6.0, 10.0)) == pytest.approx(3.0)
    assert float(ant.vertical_db(1.0, 6.0, 10.0)) == pytest.approx(3.0)
    assert float(ant.vertical_db(-60.0, 6.0, 10.0)) == pytest.approx(20.0)
    # mechanical tilt: full at boresight, none at 90°, an up-tilt behind; electrical everywhere
    kw = dict(beamwidth_deg=65.0, front_to_back_db=25.0, vertical_beamwidth_deg=10.0)
    assert float(ant.attenuation_db(0.0, 4.0, mech_tilt_deg=4.0, **kw)) == pytest.approx(0.0)
    assert float(ant.attenuation_db(0.0, 4.0, elec_tilt_deg=4.0, **kw)) == pytest.approx(0.0)
    at90_mech = float(ant.attenuation_db(90.0, 0.0, mech_tilt_deg=4.0, **kw))
    assert at90_mech == pytest.approx(float(ant.horizontal_db(90.0, 65.0, 25.0)))
    assert float(ant.attenuation_db(90.0, 4.0, elec_tilt_deg=4.0, **kw)) == pytest.approx(at90_mech)
    # total capped at the front-to-back ratio; omni ignores azimuth
    assert float(ant.attenuation_db(180.0, 60.0, **kw)) == pytest.approx(25.0)
    assert float(ant.attenuation_db(123.0, 5.0, omni=True, vertical_beamwidth_deg=10.0)) == pytest.approx(3.0)


def _msi_text(bw=65.0, fb=25.0, vbw=8.0, tilt=2.0, gain="17.85 dBi"):
    h = ant.horizontal_db(np.arange(360.0), bw, fb)
    v_angles = np.arange(360.0)
    theta = np.where(v_angles <= 180.0, v_angles, v_angles - 360.0)  # 0 horizon, 90 down, 270 = −90 up
    v = ant.vertical_db(np.clip(theta, -90, 90), tilt, vbw)
    lines = ["NAME TEST-ANT 65deg", "MAKE Example", "FREQUENCY 1800", f"GAIN {gain}", f"TILT ELECTRICAL {tilt:g}",
             "COMMENT synthetic", "HORIZONTAL 360"]
    lines += [f"{a:.1f} {x:.2f}" for a, x in zip(range(360), h, strict=True)]
    lines.append("VERTICAL 360")
    lines += [f"{a:.1f} {x:.2f}" for a, x in zip(range(360), v, strict=True)]
    return "\n".join(lines) + "\n"


def test_parse_msi_and_attenuation_match_3gpp():
    p = ant.parse_msi(_msi_text())
    assert p.name == "TEST-ANT 65deg"
    assert p.gain_dbi == pytest.approx(17.85)
    assert p.frequency_mhz == pytest.approx(1800.0)
    assert p.electrical_tilt_deg == pytest.approx(2.0)
    phi = np.array([0.0, 20.0, 32.5, 90.0, 180.0, 300.0])
    theta = np.array([2.0, 2.0, 6.0, 10.0, 2.0, -3.0])
    got = ant.pattern_attenuation_db(p, phi, theta)
    want = np.minimum(ant.horizontal_db(phi, 65.0, 25.0) + ant.vertical_db(theta, 2.0, 8.0), 25.0)
    assert np.allclose(got, want, atol=0.1)  # 1° sampling, 0.01 dB rounding


def test_parse_msi_dbd_and_errors():
    assert ant.parse_msi(_msi_text(gain="15.7 dBd")).gain_dbi == pytest.approx(17.85)
    text = _msi_text()
    with pytest.raises(AnalysisError, match="VERTICAL"):
        ant.parse_msi(text.split("VERTICAL")[0])
    with pytest.raises(AnalysisError, match="announces 360 points"):
        ant.parse_msi(text.replace("HORIZONTAL 360\n0.0 0.00\n", "HORIZONTAL 360\n"))
    with pytest.raises(AnalysisError, match="line 9"):
        ant.parse_msi(text.replace("\n1.0 0.00\n", "\n1.0 abc\n", 1))


def test_tables_match_formulas():
    h, v, bore, mech, cap = ant.tables(azimuth_deg=120.0, beamwidth_deg=65.0, front_to_back_db=25.0,
                                       vertical_beamwidth_deg=10.0, mech_tilt_deg=3.0, elec_tilt_deg=2.0)
    assert bore == 120.0 and mech == 3.0 and cap == 25.0
    assert h[0] == pytest.approx(0.0) and h[325] == pytest.approx(3.0, abs=1e-5) and h[1800] == pytest.approx(25.0)
    assert v[900 + 20] == pytest.approx(0.0) and v[900 + 70] == pytest.approx(3.0, abs=1e-5)
    h_omni, _, _, _, cap_omni = ant.tables(azimuth_deg=None, vertical_beamwidth_deg=10.0)
    assert np.all(h_omni == 0) and cap_omni == 20.0
    with pytest.raises(AnalysisError, match="beamwidth_deg"):
        ant.tables(azimuth_deg=0.0, beamwidth_deg=0.0)
