"""The ingest's fast paths give exactly what the general (slower) computation gives.

Each fast path takes a shortcut that is valid for the usual export (rows grouped by case and in
time order, every timestamp strict ISO with offset); these tests compare it with the reference
computation on random inputs, ordered and shuffled, so a wrong shortcut fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procmine import schema
from procmine.ingest.raw import frame_from_columns
from procmine.ingest.timestamps import _ISO_OFFSET_SECONDS, _strict_layout, fast_iso_offset
from procmine.normalise import ingest_file
from procmine.normalise.duplicates import _duplicate_rows
from procmine.normalise.flags import _flag_column, _local_midnight, _out_of_order, _same_minute_groups
from procmine.normalise.order import _event_order
from procmine.privacy import pseudonymise, pseudonyms

RNG = np.random.default_rng(20261125)


def _random_events(n: int, cases: int, grouped: bool) -> tuple[np.ndarray, np.ndarray]:
    """Case codes and end times; ``grouped``: each case's rows together and in time order (an export)."""
    codes = RNG.integers(0, cases, n)
    end = RNG.integers(0, 40, n).astype(np.int64) * 60_000_000
    if grouped:
        order = np.lexsort((end, codes))
        codes, end = codes[order], end[order]
    return codes, end


@pytest.mark.parametrize("grouped", [True, False])
def test_out_of_order_equals_the_running_maximum(grouped: bool) -> None:
    for _ in range(60):
        n = int(RNG.integers(1, 80))
        codes, end = _random_events(n, int(RNG.integers(1, 8)), grouped)
        if grouped and n > 3 and RNG.random() < 0.5:  # one late entry inside a case
            i = int(RNG.integers(1, n))
            end[i] -= 10 * 60_000_000
        prev = pd.Series(end).groupby(codes).cummax().groupby(codes).shift()
        expected = (pd.Series(end) < prev).to_numpy()
        assert (_out_of_order(codes, end, int(codes.max()) + 1) == expected).all()


def test_same_minute_groups_equals_counting_pairs() -> None:
    for span in (30, 10**8):  # a compact span (counted) and a huge one (hashed)
        for _ in range(40):
            n = int(RNG.integers(1, 400))
            minute = RNG.integers(0, 30, n) + RNG.integers(0, 2, n) * (span - 30)
            group = RNG.integers(-1, 4, n)
            key = pd.factorize(pd.Series([f"{g}|{m}" for g, m in zip(group.tolist(), minute.tolist())]))[0]
            expected = np.bincount(key)[key] >= 3
            assert (_same_minute_groups(minute, group, 3) == expected).all()


def test_local_midnight_in_berlin_across_dst() -> None:
    local = pd.to_datetime(
        ["2025-01-10 00:00", "2025-01-10 01:00", "2025-03-30 00:00", "2025-07-01 00:00",
         "2025-07-01 23:00", "2025-10-26 00:00", "2025-10-26 12:00:01"], format="mixed"
    ).tz_localize("Europe/Berlin")
    us = local.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    # winter midnight = 23:00 UTC, summer midnight = 22:00 UTC: only real local midnights count
    assert _local_midnight(us).tolist() == [True, False, True, True, False, True, False]


@pytest.mark.parametrize("grouped", [True, False])
def test_event_order_equals_lexsort(grouped: bool) -> None:
    for _ in range(60):
        n = int(RNG.integers(1, 60))
        codes, end = _random_events(n, int(RNG.integers(1, 6)), grouped)
        expected = np.lexsort((np.arange(n), end, codes))
        assert (_event_order(codes, int(codes.max()) + 1, end) == expected).all()


@pytest.mark.parametrize("grouped", [True, False])
def test_duplicate_rows_shortcut_equals_full_check(grouped: bool) -> None:
    for _ in range(40):
        n = int(RNG.integers(2, 60))
        codes, end = _random_events(n, int(RNG.integers(1, 5)), grouped)
        acts = RNG.choice(["A", "B"], n)
        if n > 4:  # plant exact copies right after their originals
            for i in RNG.integers(0, n - 1, 3):
                codes[i + 1], end[i + 1], acts[i + 1] = codes[i], end[i], acts[i]
        data = frame_from_columns({"case": [f"c{c}" for c in codes], "act": list(acts), "end": [str(e) for e in end]})
        proxies = {"end": end}
        full = _duplicate_rows(data, ["case", "act", "end"], proxies)
        short = _duplicate_rows(data, ["case", "act", "end"], proxies, ("case", "end"))
        assert (full[0] == short[0]).all() and (full[1] == short[1]).all()


def test_flag_column_lists_each_events_flags() -> None:
    flags = {"out_of_order": np.array([1, 0, 1, 0], bool), "batch_entry": np.array([0, 0, 1, 1], bool)}
    col = _flag_column(flags, 4)
    assert [None if pd.isna(v) else v for v in col] == ["out_of_order", None, "out_of_order,batch_entry", "batch_entry"]


_digits = st.integers(0, 9).map(str)


@st.composite
def iso_like(draw: st.DrawFn) -> str:
    """Timestamps in and around the strict layout: missing seconds, short offsets, long fractions."""
    date = f"20{draw(st.integers(10, 30))}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
    sep = draw(st.sampled_from(["T", " "]))
    time = f"{draw(st.integers(0, 23)):02d}"
    if draw(st.booleans()):
        time += f":{draw(st.integers(0, 59)):02d}"
        if draw(st.booleans()):
            time += f":{draw(st.integers(0, 59)):02d}"
            if draw(st.booleans()):
                time += "." + "".join(draw(st.lists(_digits, min_size=1, max_size=9)))
    zone = draw(st.sampled_from(["Z", "+01:00", "-0530", "+02", "+0000", "-11:30"]))
    return date + sep + time + zone


@settings(max_examples=300, deadline=None)
@given(st.lists(iso_like(), min_size=1, max_size=8))
def test_strict_layout_agrees_with_the_pattern(values: list[str]) -> None:
    accepted = []
    for v in values:
        try:
            pa.array([v]).cast(pa.timestamp("us", tz="UTC"))
            accepted.append(v)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    if not accepted:
        return
    mask = _strict_layout(pa.chunked_array([pa.array(accepted[:2]), pa.array(accepted[2:], type=pa.string())]))
    assert mask is not None
    assert mask.tolist() == [re.match(_ISO_OFFSET_SECONDS, v) is not None for v in accepted]


def test_fast_iso_offset_whole_column_equals_pattern_path() -> None:
    good = ["2025-03-30T01:59:59+01:00", "2025-03-30T03:00:00+02:00", "2025-01-01T00:00:00Z"]
    mask, values = fast_iso_offset(pa.array(good))
    assert mask.all()
    assert values.astype(str).tolist() == ["2025-03-30T00:59:59.000000", "2025-03-30T01:00:00.000000", "2025-01-01T00:00:00.000000"]
    mixed = pa.array(good + ["2025-01-01T10:00+01:00"])  # no seconds: not a strict hit, left to the careful path
    mask, values = fast_iso_offset(mixed)
    assert mask.tolist() == [True, True, True, False] and len(values) == 3


def test_pseudonyms_are_keyed_per_office_and_match_the_normaliser(tmp_path: Path) -> None:
    values = pd.Series(["A-1", "A-2", None, "A-1"])
    out = pseudonymise(values, b"key-1", "ABH-01", "C-").tolist()
    assert out[0] == out[3] and out[0] != out[1] and pd.isna(out[2])
    assert out[0].startswith("C-") and len(out[0]) == 2 + 16
    assert pseudonyms(["A-1"], b"key-2", "ABH-01", "C-") != [out[0]]  # another key
    assert pseudonyms(["A-1"], b"key-1", "ABH-02", "C-") != [out[0]]  # another office
    long_key = b"x" * 200  # longer than BLAKE2b's 64-byte key: hashed down, still works and differs
    assert pseudonyms(["A-1"], long_key, "ABH-01")[0] != pseudonyms(["A-1"], b"x" * 199, "ABH-01")[0]
    csv = tmp_path / "ABH-01.csv"
    csv.write_text(
        "case:concept:name,concept:name,time:timestamp\nA-1,application_received,2025-01-02T10:00:00+01:00\n",
        encoding="utf-8",
    )
    res = ingest_file(csv, tmp_path / "out", key=b"key-1")
    office = str(res.log[schema.OFFICE].iloc[0])
    assert res.log[schema.CASE_ID].astype(str).tolist() == pseudonyms(["A-1"], b"key-1", office, "C-")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=0, max_size=40, unique=True), st.sampled_from(["", "C-", "Ä-"]))
def test_vectorised_pseudonyms_match_blake2b_and_sort_as_text(values: list[str], prefix: str) -> None:
    """The digests' integer order is the pseudonyms' text order; the labels are BLAKE2b's own hex digests."""
    import hashlib

    from procmine.privacy import mac_key, pseudonym_digests, pseudonym_labels

    values = [v for v in values if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in v)]  # UTF-8-encodable
    base = hashlib.blake2b(key=mac_key(b"k" * 40), digest_size=8)
    base.update(b"ABH-01|")
    expected = []
    for v in values:
        h = base.copy()
        h.update(v.encode("utf-8"))
        expected.append(prefix + h.hexdigest())
    digests = pseudonym_digests((v.encode("utf-8") for v in values), b"k" * 40, "ABH-01")
    assert pseudonym_labels(digests, prefix).to_pylist() == expected
    assert pseudonyms(values, b"k" * 40, "ABH-01", prefix) == expected
    assert [expected[i] for i in np.argsort(digests, kind="stable")] == sorted(expected)


def test_case_ids_come_in_text_order_with_their_codes_kept() -> None:
    """Pseudonymised case ids are sorted as text without changing which row holds which id."""
    from procmine.normalise.pseudonyms import _pseudonymise_cat, _text_ranked

    cat = pd.Series(pd.Categorical(["b", "a", None, "c", "a", "b"]))
    plain = _pseudonymise_cat(cat, b"key", "ABH-01", "C-")
    ranked = _pseudonymise_cat(cat, b"key", "ABH-01", "C-", in_text_order=True)
    assert plain.astype(object).tolist()[:2] == ranked.astype(object).tolist()[:2]
    assert plain.astype(object).where(plain.notna(), None).tolist() == ranked.astype(object).where(ranked.notna(), None).tolist()
    assert list(ranked.cat.categories) == sorted(ranked.cat.categories)
    assert _text_ranked(ranked) is ranked.array  # already sorted: no second sort
    assert list(_text_ranked(plain).categories) == sorted(plain.cat.categories)


def test_quoted_csv_streams_in_pieces_without_cutting_values(monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    import procmine.ingest.text as text

    rows = [["Vorgang", "Vermerk", "Ende"]]
    for i in range(300):  # values with line breaks, delimiters and doubled quotes inside quotes
        note = f'Zeile {i}\nmit "Zitat" und ; Semikolon' if i % 7 == 0 else f"Notiz {i}"
        rows.append([f"V{i}", note, f"2025-01-{1 + i % 28:02d}T10:00:00+01:00"])
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    data = buf.getvalue().encode("utf-8")
    monkeypatch.setattr(text, "PIECE_BYTES", 512)  # many small pieces: cuts land inside quoted values
    seen: list[int] = []
    raw = text.read_csv_bytes(data, "q.csv", progress=lambda done, _total: seen.append(done))
    assert len(seen) > 5 and seen == sorted(seen) and seen[-1] == 300
    assert raw.data["Vermerk"].astype(str).tolist() == [r[1] for r in rows[1:]]
    assert raw.data["Vorgang"].astype(str).tolist() == [r[0] for r in rows[1:]]
    assert raw.source_row.tolist()[:2] == [2, 3]


@st.composite
def german_like(draw: st.DrawFn) -> str:
    """Dates in and around dd.mm.yyyy HH:MM[:SS]: unpadded, out-of-range, wrong separators, extra text."""
    d = draw(st.sampled_from([f"{draw(st.integers(0, 32)):02d}", str(draw(st.integers(1, 9))), "3x"]))
    m = draw(st.sampled_from([f"{draw(st.integers(0, 13)):02d}", str(draw(st.integers(1, 9)))]))
    y = draw(st.sampled_from([f"{draw(st.integers(1900, 2100)):04d}", "24"]))
    hh, mm, ss = (f"{draw(st.integers(0, lim)):02d}" for lim in (25, 61, 61))
    sep = draw(st.sampled_from([".", "/", "-"]))
    tail = draw(st.sampled_from(["", f" {hh}:{mm}", f" {hh}:{mm}:{ss}", "x", f" {hh}.{mm}"]))
    return draw(st.sampled_from(["", " "])) + f"{d}{sep}{m}{sep}{y}" + tail


@settings(max_examples=200, deadline=None)
@given(st.lists(german_like(), min_size=1, max_size=30), st.sampled_from(["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y"]))
def test_fixed_format_parse_agrees_with_pandas(values: list[str], fmt: str) -> None:
    from procmine.ingest.timestamps import parse_fixed_format

    mask, parsed = parse_fixed_format(pa.chunked_array([pa.array(values[:3]), pa.array(values[3:] + [None], type=pa.string())]), fmt)
    ref = pd.to_datetime(pd.Series(values + [None], dtype=object), format=fmt, errors="coerce")
    for text, hit, value, expected in zip(values + [None], mask, parsed, ref):
        if hit:  # every hit is exactly what pandas reads
            assert pd.Timestamp(value) == expected, (text, fmt)
        elif text is not None and not pd.isna(expected):  # pandas reads it, but it is not written exactly in fmt
            assert text != expected.strftime(fmt), (text, fmt)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0x41, 0x0A, 0x80, 0x9F, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE4, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]), max_size=40))
def test_utf8_sequence_and_high_byte_scans_agree_with_their_definitions(values: list[int]) -> None:
    from procmine.ingest.text import _UTF8_MULTIBYTE, _has_utf8_sequence, _high_bytes

    data = bytes(values)
    assert _has_utf8_sequence(data, chunk=7) == bool(_UTF8_MULTIBYTE.search(data))  # chunk seams included
    assert _high_bytes(data, chunk=5) == {b for b in data if b >= 0x80}


@settings(max_examples=200, deadline=None)
@given(st.lists(iso_like(), min_size=1, max_size=12))
def test_strict_layout_of_one_width_agrees_with_the_pattern(values: list[str]) -> None:
    """Values of one width back to back take the byte-grid path: same verdict as the pattern."""
    by_width: dict[int, list[str]] = {}
    for v in values:
        try:
            pa.array([v]).cast(pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        by_width.setdefault(len(v), []).append(v)
    for same in by_width.values():
        mask = _strict_layout(pa.chunked_array([pa.array(same)]))
        assert mask is not None
        assert mask.tolist() == [re.match(_ISO_OFFSET_SECONDS, v) is not None for v in same]


@settings(max_examples=200, deadline=None)
@given(st.lists(german_like(), min_size=1, max_size=30), st.sampled_from(["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]))
def test_fixed_format_of_one_width_agrees_with_pandas(values: list[str], fmt: str) -> None:
    """Values of the format's width without gaps take the byte-grid path: same hits as pandas reads."""
    from procmine.ingest.timestamps import parse_fixed_format

    width = len(pd.Timestamp("2024-01-01").strftime(fmt))
    same = [v for v in values if len(v) == width]
    if not same:
        return
    mask, parsed = parse_fixed_format(pa.chunked_array([pa.array(same)]), fmt)
    ref = pd.to_datetime(pd.Series(same, dtype=object), format=fmt, errors="coerce")
    for text, hit, value, expected in zip(same, mask, parsed, ref):
        if hit:
            assert pd.Timestamp(value) == expected, (text, fmt)
        elif not pd.isna(expected):
            assert text != expected.strftime(fmt), (text, fmt)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=30),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.integers(min_value=-(2**62), max_value=2**62),
)
def test_outside_plausible_range_in_one_comparison_matches_two(values: list[int], lo: int, hi: int) -> None:
    """The unsigned-wrap check of the timestamp range is the two comparisons it replaces (NaT included)."""
    from procmine.normalise.quarantine import _outside

    us = np.asarray(values + [np.iinfo(np.int64).min], dtype=np.int64)
    assert _outside(us, lo, hi).tolist() == ((us < lo) | (us > hi)).tolist()
