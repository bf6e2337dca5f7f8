"""Colours of the report's pictures (issue 15, item 2): every chart and map draws with ``report.palette`` only, and
that palette stays apart for colour-blind readers (Machado, Oliveira & Fernandes 2009, severity 1, in linear RGB;
distances in CIELAB)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from report_fixtures import english_network

from procmine.report import palette

from conftest import NOW

# Machado et al. (2009), severity 1.0: linear RGB -> linear RGB as seen with the deficiency
CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
MIN_DELTA_E = 15.0  # adjacent series colours: clearly apart (red #d62728 and green #2ca02c are 7 apart for deuteranopes)
MIN_LIGHTNESS_STEP = 8.0  # wait bands: each darker than the one before by this much L*, whatever the colour vision

COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
NAMED = re.compile(r"""(?:fill|stroke|stop-color)\s*[:=]\s*["']?([a-zA-Z]+)""")
NOT_A_COLOUR = {"none", "transparent", "currentcolor", "url"}
NAMES = {"black": "#000000", "white": "#ffffff"}


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    n = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(n > 216 / 24389, np.cbrt(n), (24389 / 27 * n + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _seen(hex_colour: str, deficiency: str | None = None) -> np.ndarray:
    """CIELAB of a colour as seen with ``deficiency`` (None: normal colour vision)."""
    rgb = _linear(hex_colour)
    return _lab(CVD[deficiency] @ rgb if deficiency else rgb)


def _delta_e(a: str, b: str, deficiency: str | None = None) -> float:
    return float(np.linalg.norm(_seen(a, deficiency) - _seen(b, deficiency)))


def test_the_simulation_is_sound_and_has_teeth():
    """Hand-checked: white, black and grey look the same to everyone (each matrix row sums to 1); black to white is
    L* 100; red against green of matplotlib's default palette melts together for deuteranopes, Okabe-Ito's blue and
    orange do not."""
    for m in CVD.values():
        assert m.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-3)
    assert _delta_e("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)
    assert _delta_e("#808080", "#808080", "deuteranopia") == 0.0
    assert _delta_e("#2ca02c", "#d62728") > 70  # far apart with normal colour vision ...
    assert _delta_e("#2ca02c", "#d62728", "deuteranopia") < MIN_DELTA_E  # ... nearly one colour without green cones
    assert _delta_e("#1b7837", "#b2182b", "deuteranopia") < MIN_DELTA_E  # the old "better" / "worse" marks
    assert _delta_e(palette.BLUE, palette.ORANGE, "deuteranopia") > 80


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_adjacent_series_colours_stay_apart(deficiency):
    cats = palette.CATEGORICAL
    for a, b in zip(cats, cats[1:]):
        assert _delta_e(a, b, deficiency) >= MIN_DELTA_E, (a, b, deficiency)
    for a, b in ((palette.BETTER, palette.WORSE), (palette.BETTER, palette.WITHIN_NOISE), (palette.WORSE, palette.WITHIN_NOISE),
                 (palette.DIVERGING[0], palette.DIVERGING[1]), (palette.DIVERGING[1], palette.DIVERGING[2])):
        assert _delta_e(a, b, deficiency) >= MIN_DELTA_E, (a, b, deficiency)


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_wait_bands_get_darker_for_everyone(deficiency):
    """The process map's wait colours read in order (light = short, dark = long) with every colour vision and in
    grey print; the old light-blue / orange / rust / purple bands did not (orange was lighter than light blue)."""
    lightness = [_seen(c, deficiency)[0] for c in palette.WAIT]
    assert all(a - b >= MIN_LIGHTNESS_STEP for a, b in zip(lightness, lightness[1:])), lightness
    for c in palette.WAIT:  # "no wait known" (grey) is none of the bands
        assert _delta_e(c, palette.WAIT_UNKNOWN, deficiency) >= MIN_DELTA_E, (c, deficiency)
    old = [_seen(c, deficiency)[0] for c in ("#5aa2d6", "#e8a33d", "#c4510a", "#4b2991")]
    assert not all(a - b >= MIN_LIGHTNESS_STEP for a, b in zip(old, old[1:]))


def test_series_are_told_apart_without_colour():
    """Nine offices on one trend chart: no two share colour, dash and marker; no two share dash and marker."""
    styles = [palette.series_style(i, 9) for i in range(9)]
    assert len(set(styles)) == 9
    assert len({(s.dash, s.marker) for s in styles}) == 9
    assert styles[0].colour == palette.CATEGORICAL[0] and styles[7].colour == palette.CATEGORICAL[0]  # colours repeat ...
    assert styles[7][1:] != styles[0][1:]  # ... the line does not
    few = [palette.series_style(i, 3) for i in range(3)]  # three series: solid, apart by colour and marker
    assert {s.dash for s in few} == {"-"} and len({s.colour for s in few}) == len({s.marker for s in few}) == 3


def _colours(svg_text: str) -> set[str]:
    """Every colour a piece of SVG paints with (hex, lower case; black and white named or not)."""
    found = {c.lower() for c in COLOUR.findall(svg_text)}
    found = {f"#{c[1] * 2}{c[2] * 2}{c[3] * 2}" if len(c) == 4 else c for c in found}
    named = {n.lower() for n in NAMED.findall(svg_text)} - NOT_A_COLOUR
    return found | {NAMES.get(n, n) for n in named}


def _svgs(page: str) -> str:
    return "\n".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))


def test_colour_check_sees_a_raw_colour():
    svg = '<svg><path style="stroke: #1f77b4"/><rect fill="red"/><text fill="#fff">x</text></svg>'
    assert _colours(svg) - palette.ALLOWED == {"#1f77b4", "red"}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The pictures of an office report (charts, map levels, model), of vergleich.html's network sections (nine
    offices' trends, interval plots) and of unterschied.html."""
    import pandas as pd

    from procmine.analyse import analyse_network
    from procmine.compare import compare_offices
    from procmine.compare.diff import diff_logs
    from procmine.report import build
    from procmine.report.network import build_network_report, measure_chart, render_diff_html
    from procmine.report.render import render_office_html
    from procmine.synth import default_offices, simulate_network

    office = build.build_office_report(english_network()[0], None, None, now=NOW)
    logs = simulate_network(cases_per_office=80, months=12, offices=default_offices()[:9]).logs
    analyses = analyse_network(logs)
    net = build_network_report(compare_offices(analyses, logs=logs).network)
    first, third = sorted(logs)[0], sorted(logs)[2]
    monthly = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "office_mean": [3.0, 2.0, 1.5],
                            "controls_mean": [3.0, 3.1, 2.9]})
    charts = [svg for _, svg in net.trend_charts] + [k.chart for k in net.kpis] + [measure_chart(monthly, first, "2024-02-01", "days")]
    office_page = render_office_html(office)
    return {
        "bericht": _svgs(office_page),
        "vergleich": "\n".join(charts),
        "unterschied": _svgs(render_diff_html(diff_logs(logs[first], logs[third], first, third))),
        "trends": "\n".join(svg for _, svg in net.trend_charts),
    }


@pytest.mark.parametrize("page", ["bericht", "vergleich", "unterschied"])
def test_every_picture_draws_with_the_palette(pages, page):
    svg = pages[page]
    assert svg.count("<svg") >= 3
    raw = _colours(svg) - palette.ALLOWED
    assert not raw, f"{page}: colours outside report.palette: {sorted(raw)}"


def test_the_pictures_use_the_data_colours(pages):
    """The check above looks at real colours: the office charts use the series colours, the map the wait scale,
    the difference map orange and blue, the trend chart of nine offices every series colour."""
    low = {c.lower() for c in palette.CATEGORICAL}
    assert len(_colours(pages["bericht"]) & low) >= 2
    assert _colours(pages["bericht"]) & {c.lower() for c in palette.WAIT}
    assert {palette.ORANGE.lower(), palette.BLUE.lower()} <= _colours(pages["unterschied"])
    assert low <= _colours(pages["trends"])
