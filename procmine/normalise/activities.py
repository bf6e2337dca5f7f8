"""Activity labels: spellings merged, catalogue keys, known activities; case-type codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.ingest.raw import codes_of
from procmine.normalise.categories import _map_categories, _values_at
from procmine.normalise.lifecycle import _label_other_transitions, _lifecycle_possible
from procmine.normalise.state import Work
from procmine.profiles import Profile, catalogue_key


def _activity_keys(labels: pd.Index, profile: Profile) -> np.ndarray:
    out = []
    for lab in labels.astype(str):
        key = profile.activities.get(lab)
        out.append(key if key is not None else catalogue_key(lab))
    return np.asarray(out, dtype=object)


def _case_type_codes(values: pd.Index, profile: Profile) -> np.ndarray:
    by_label = {ct.label_de.casefold(): code for code, ct in catalogue.CASE_TYPES.items()}
    out = []
    for v in values.astype(str):
        if v in profile.case_types:
            out.append(profile.case_types[v])
        elif v in catalogue.CASE_TYPES:
            out.append(v)
        else:
            out.append(by_label.get(v.casefold(), v))
    return np.asarray(out, dtype=object)


def _merge_spellings(cat: pd.Series) -> tuple[pd.Series, int]:
    """Labels that differ only in upper/lower case or spacing ("antrag eingegangen", "Antrag  eingegangen")
    become the most frequent spelling of that label; how many rows changed. Works on the categories."""
    cats = cat.cat.categories
    if len(cats) < 2:
        return cat, 0
    key = pd.Index(np.asarray(cats, dtype=object)).astype(str).str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    if key.is_unique:
        return cat, 0
    codes = codes_of(cat)
    counts = np.bincount(codes[codes >= 0], minlength=len(cats))
    group, _ = pd.factorize(key)
    order = np.lexsort((-counts, group))  # by label group, the most frequent spelling first
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    representative = np.empty(group.max() + 1, dtype=np.int64)
    representative[group[order][first]] = order[first]
    target = representative[group]  # category -> the category it is spelled as
    new_codes = np.where(codes >= 0, target[np.maximum(codes, 0)], -1)
    changed = int((new_codes != codes).sum())
    merged = pd.Categorical.from_codes(new_codes, categories=cats).remove_unused_categories()
    return pd.Series(merged, index=cat.index, name=cat.name), changed


def label_activities(w: Work, ev: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Activity labels of the candidates: spellings merged, other lifecycle transitions as steps of their
    own, catalogue keys (``activity_key``); unknown activities marked when the profile requires known ones.
    Returns the candidates and which rows are such other transitions."""
    profile, cols, n = w.profile, w.cols, w.n
    if not isinstance(ev["activity"].dtype, pd.CategoricalDtype):
        ev["activity"] = ev["activity"].astype(object).astype("category")
    ev["activity"], respelled = _merge_spellings(ev["activity"])
    if respelled:
        w.notes["activity_spellings_merged"] = respelled
    other_transition = np.zeros(n, dtype=bool)
    if profile.shape in ("events", "lifecycle") and "lifecycle" in cols and len(ev):
        ev["activity"], other_transition = _label_other_transitions(ev["activity"], w.data[cols["lifecycle"]], profile)
        if other_transition.any():
            w.notes["lifecycle_transitions_as_steps"] = int(other_transition.sum())
    act_key = _map_categories(ev["activity"], lambda c: _activity_keys(c, profile))
    if profile.require_known_activities and len(ev):
        unknown = act_key.isna().to_numpy() & ev["activity"].notna().to_numpy()
        rows_unknown = np.zeros(n, dtype=bool)
        rows_unknown[ev["row"].to_numpy()[unknown]] = True
        found = np.full(n, None, dtype=object)
        found[ev["row"].to_numpy()[unknown]] = _values_at(ev["activity"], np.flatnonzero(unknown))
        w.marks.mark(rows_unknown, "unknown_activity", cols.get("activity") or "milestones", found)
    pairs_later = profile.shape == "lifecycle" or _lifecycle_possible(profile, cols)
    ev["activity_key"] = act_key.to_numpy() if pairs_later else act_key.reset_index(drop=True)
    return ev, other_transition
