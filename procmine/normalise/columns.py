"""Column resolution: the profile's field -> header mapping checked against the file, combined case ids,
the office name, numeric extra columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.errors import InputProblem
from procmine.ingest import RawTable
from procmine.ingest.raw import codes_of
from procmine.labels_de import messages as messages_de
from procmine.profiles import FIELDS, Profile


def _nearest_column(name: str, available: list[str]) -> str:
    import difflib

    from procmine.profiles import normalise_header

    norm = {normalise_header(a): a for a in available}
    close = difflib.get_close_matches(normalise_header(name), list(norm), n=1, cutoff=0.6)
    return norm[close[0]] if close else ""


def _column_problem(raw: RawTable, profile: Profile, fld: str, col: str) -> InputProblem:
    code = "missing_column"
    near = _nearest_column(col, raw.columns)
    label = FIELDS.get(fld, fld)
    nearest = messages_de.problem(code, "hint_nearest", column=near) if near else ""
    hint = messages_de.problem(code, "hint", profile=profile.name, field_label=label, field=fld, nearest=nearest)
    if len(raw.columns) == 1 and any(d in raw.columns[0] for d in (";", ",", "\t", "|")):
        hint = messages_de.problem(code, "hint_header_not_split")
    return InputProblem(
        code=code,
        file=raw.file,
        sheet=raw.sheet,
        row=1,
        column=col,
        found=messages_de.problem(code, "found", column=col, field_label=label),
        expected=messages_de.problem(code, "expected", column=col),
        hint=hint,
        details=[messages_de.COLUMNS_PRESENT.format(columns=", ".join(raw.columns[:40]))],
    )


def resolve_columns(raw: RawTable, profile: Profile) -> dict[str, str]:
    """Canonical field -> header present in the file; InputProblem naming the first missing one."""
    have = set(raw.columns)
    out: dict[str, str] = {}
    for fld, col in profile.columns.items():
        if not col:
            continue
        if col in raw.duplicate_headers:
            raise InputProblem(
                code="duplicate_column",
                file=raw.file,
                sheet=raw.sheet,
                row=1,
                column=col,
                found=messages_de.problem("duplicate_column", "found", column=col),
                expected=messages_de.problem("duplicate_column", "expected"),
                hint=messages_de.problem("duplicate_column", "hint"),
            )
        if col not in have:
            raise _column_problem(raw, profile, fld, col)
        out[fld] = col
    if profile.shape == "milestones":
        for col in [*profile.milestones, *profile.milestone_starts]:
            if col not in have:
                raise _column_problem(raw, profile, "milestone", col)
    for col in profile.case_id_with:
        if col not in have:
            raise _column_problem(raw, profile, "case_id", col)
    return out


def _combined_case_id(data: pd.DataFrame, cols: dict[str, str], parts: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The case id made of the case-id column and further columns (``Ticketnummer + Datum``): one new
    categorical column, missing where any part is missing; built on distinct combinations only."""
    names = (cols["case_id"], *[p for p in parts if p != cols["case_id"]])
    cats = [data[c] if isinstance(data[c].dtype, pd.CategoricalDtype) else data[c].astype("category") for c in names]
    codes = np.stack([codes_of(c).astype(np.int64) for c in cats], axis=1)
    missing = (codes < 0).any(axis=1)
    combo, inverse = np.unique(codes[~missing], axis=0, return_inverse=True)
    labels = [" / ".join(str(c.cat.categories[int(k)]) for c, k in zip(cats, row)) for row in combo]  # distinct combinations
    out_codes = np.full(len(data), -1, dtype=np.int32)
    out_codes[~missing] = inverse.ravel()
    name = " + ".join(names)
    combined = pd.Categorical.from_codes(out_codes, categories=pd.Index(labels, dtype=object))
    return data.assign(**{name: combined}), {**cols, "case_id": name}


def _office_name(profile: Profile, raw: RawTable) -> str:
    if profile.office:
        return profile.office
    name = raw.path.name if raw.path is not None else raw.file
    return name.split(".")[0] or "office"


def _numeric_extra(cat: pd.Series, decimal: str) -> pd.Series | None:
    """Float column when every value is a number written with the profile's decimal mark."""
    cats = pd.Series(cat.cat.categories.astype(str))
    if cats.empty:
        return None
    if decimal == ",":
        pattern, cleaned = r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$", cats.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        pattern, cleaned = r"^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$", cats.str.replace(",", "", regex=False)
    if not cats.str.match(pattern).all():
        return None
    vals = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    codes = codes_of(cat)
    return pd.Series(np.where(codes >= 0, vals[np.maximum(codes, 0)], np.nan), index=cat.index)
