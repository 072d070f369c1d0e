"""``moderate train --labels FILE...``: a site's labels -> candidates -> compared -> promoted or kept.

1. Read the label files (:mod:`moderate.retrain.labelfile`); say what was read, used, skipped.
   ``article_id`` values are joined to ``articles`` (``--articles``) to give off-topic pairs their
   article.
2. For each model family with new labels (incivility: ``models/``, any of the five labels;
   off-topic: ``models/offtopic/``, ``off_topic`` with an article), add them to the labels that
   family's current model was trained with (its ``site_labels.csv.gz``), so each week's labels
   build on the last; a file already in that lineage (same sha256) is not added twice.
3. Resolve duplicates and hold out the fixed slice (:mod:`moderate.retrain.merge`). The slice is
   pinned to the lineage: the parent's held-out share and salt are kept (:func:`pin_holdout`).
4. Fit a candidate (shipped data plus the site's training rows; corpus training rows, and for
   off-topic shipped and weak training pairs, whose text is in the site's held-out slice are dropped). An incivility candidate keeps its parent's recipe:
   the parent's parameters and corpus sources, unless others are given (:func:`inherit_recipe`).
5. Score the same held-out rows with both models and apply the rule
   (:mod:`moderate.retrain.compare`).
6. Write the candidate's folder (atomic: a crash before this leaves nothing behind and the current
   model untouched) with its lineage, and promote it when the rule says so or ``force`` is set.
   Both are logged in the family's ``registry.jsonl``.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate import history, registry
from moderate.errors import InputError
from moderate.retrain.compare import DEFAULT_MIN_GAIN, DEFAULT_TOLERANCE, compare
from moderate.retrain.labelfile import LABEL_COLUMNS, MAX_LISTED, ROW_COLUMNS, LabelFileReport, read_label_file
from moderate.retrain.merge import MergePolicy, resolve_duplicates
from moderate.schema import LABELS, OFF_TOPIC

SITE_LABELS_NAME = "site_labels.csv.gz"
OFFTOPIC_SUBDIR = "offtopic"


@dataclass
class RetrainResult:
    """One family's candidate: where it is and what was decided."""

    family: str  # "incivility" | "offtopic"
    model_id: str
    folder: Path
    parent: str | None
    promoted: bool
    forced: bool
    comparison: dict[str, Any] | None
    metadata: dict[str, Any] = field(repr=False, default_factory=dict)


@dataclass
class RetrainRun:
    """What :func:`retrain` did: the file reports and a result per family that had new labels."""

    reports: list[LabelFileReport]
    incivility: RetrainResult | None = None
    offtopic: RetrainResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def results(self) -> list[RetrainResult]:
        return [r for r in (self.incivility, self.offtopic) if r is not None]


def read_site_labels(folder: Path | None) -> pd.DataFrame:
    """The site labels a model folder was trained with (its ``site_labels.csv.gz``) as label-file
    rows (:data:`moderate.retrain.labelfile.ROW_COLUMNS`); empty without a folder or such a file."""
    path = None if folder is None else folder / SITE_LABELS_NAME
    if path is None or not path.is_file():
        return pd.DataFrame(columns=list(ROW_COLUMNS))
    # every string column as written: a comment "None" or "NA" is text, not a missing value
    text_columns = ("text", "key", "article", "title", "article_id", "comment_id", "labeler", "labeled_at")
    frame = pd.read_csv(path, dtype={c: str for c in text_columns}, keep_default_na=False, na_values=[""])
    for column in ROW_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["labeled_at"] = pd.to_datetime(frame["labeled_at"], utc=True)
    for label in LABEL_COLUMNS:
        frame[label] = frame[label].astype("float64")
    return frame[list(ROW_COLUMNS)]


def _site_labels_bytes(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows[list(ROW_COLUMNS)].to_csv(buffer, index=False)
    return gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0)


def skipped_rows(reports: Sequence[LabelFileReport]) -> pd.DataFrame:
    """Every skipped row of every file: ``file, row, reason``."""
    return pd.DataFrame([(r.path, line, reason) for r in reports for line, reason in r.bad_rows],
                        columns=["file", "row", "reason"])


def read_label_files(paths: Sequence[str | Path], text_col: str | None = None) -> tuple[pd.DataFrame, list[LabelFileReport]]:
    """Read every file; the usable rows of all of them (``file`` = position in ``paths``) and one report per file."""
    frames, reports = [], []
    for index, path in enumerate(paths):
        label_file = read_label_file(path, text_col=text_col, file_index=index)
        frames.append(label_file.rows)
        reports.append(label_file.report)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(ROW_COLUMNS))
    return rows, reports


def join_articles(rows: pd.DataFrame, articles: Mapping[str, tuple[str | None, str]] | None,
                  notes: list[str]) -> pd.DataFrame:
    """Fill ``article``/``title`` of ``off_topic`` rows from ``articles`` by ``article_id``; an
    ``off_topic`` value whose article cannot be found is dropped (and counted in ``notes``)."""
    from moderate.score import _article_key

    rows = rows.copy()
    wanted = rows[OFF_TOPIC].notna() & rows["article"].isna()
    if not wanted.any():
        return rows
    found = 0
    for i in np.flatnonzero(wanted.to_numpy()):
        article = None if articles is None else articles.get(_article_key(rows.at[i, "article_id"]))
        if article is None:
            rows.at[i, OFF_TOPIC] = np.nan
        else:
            rows.at[i, "title"], rows.at[i, "article"] = article
            found += 1
    missing = int(wanted.sum()) - found
    if missing:
        where = "not in --articles" if articles is not None else "no --articles table given"
        notes.append(f"off_topic ignored on {missing:,} rows: their article_id is {where}")
    return rows


@dataclass
class _Lineage:
    parent_folder: Path | None
    parent_meta: dict[str, Any]
    inherited: pd.DataFrame
    inherited_files: list[dict[str, Any]]
    new_rows: pd.DataFrame
    new_files: list[dict[str, Any]]

    @property
    def all_rows(self) -> pd.DataFrame:
        if self.inherited.empty:
            return self.new_rows.reset_index(drop=True)
        return pd.concat([self.inherited, self.new_rows], ignore_index=True)


def _lineage(family_dir: Path, rows: pd.DataFrame, reports: list[LabelFileReport], notes: list[str], family: str) -> _Lineage:
    """The family's current model, the labels it inherited, and the new rows not already in them."""
    folder, meta = None, {}
    if (family_dir / registry.CURRENT_NAME).is_file():
        folder = family_dir / registry.current_model_id(family_dir)
        meta = registry.read_metadata(folder)
    # a file entry's "added_in" is "self" in the model that added it, that model's id once inherited
    inherited_files = [
        {**f, "added_in": meta["model_id"] if f.get("added_in") == "self" else f.get("added_in")}
        for f in meta.get("lineage", {}).get("label_files", [])
    ]
    known = {f["sha256"] for f in inherited_files}
    offset = len(inherited_files)
    keep = []
    new_files = []
    present = set(rows["file"].tolist())
    for index, report in enumerate(reports):
        if index not in present:  # no row of this file has a label for this family
            continue
        if report.sha256 in known:
            notes.append(f"{family}: {report.path} is already in {meta.get('model_id')}'s labels: not added again")
            continue
        keep.append(index)
        new_files.append({**report.to_dict(), "added_in": "self"})
    new_rows = rows[rows["file"].isin(keep)].copy()
    new_rows["file"] = new_rows["file"].map({old: offset + k for k, old in enumerate(keep)})
    return _Lineage(folder, meta, read_site_labels(folder), inherited_files, new_rows, new_files)


def pin_holdout(policy: MergePolicy, family_dir: Path, family: str, explicit: bool,
                notes: list[str]) -> MergePolicy:
    """``policy`` with the current model's held-out share and salt, if its lineage recorded them:
    another share or salt would move texts it was trained on into the held-out slice. A share
    given ``explicit``ly that differs is an error; otherwise the parent's values are kept (noted)."""
    if not (family_dir / registry.CURRENT_NAME).is_file():
        return policy
    model_id = registry.current_model_id(family_dir)
    parent = registry.read_metadata(family_dir / model_id).get("lineage", {}).get("merge_policy") or {}
    share = parent.get("holdout_share", policy.holdout_share)
    salt = parent.get("holdout_salt", policy.holdout_salt)
    if explicit and share != policy.holdout_share:
        raise InputError(
            f"held-out share {policy.holdout_share} differs from {share}, the share of the {family} lineage of "
            f"{model_id}: changing it would move texts already trained on into the held-out slice; to start a new "
            "lineage, make a model trained without site labels current (moderate models promote ID) and pass "
            "every label file again"
        )
    kept = []
    if share != policy.holdout_share:
        kept.append(f"held-out share {share} (not {policy.holdout_share})")
    if salt != policy.holdout_salt:
        kept.append(f"held-out salt {salt!r} (not {policy.holdout_salt!r})")
    if not kept:
        return policy
    notes.append(f"{family}: kept the parent {model_id}'s " + " and ".join(kept)
                 + ", so no text it was trained on moves into the held-out slice")
    return dataclasses.replace(policy, holdout_share=share, holdout_salt=salt)


def _same_value(a: Any, b: Any) -> bool:
    """Equal parameter values; metadata stores tuples as lists."""
    return (list(a) if isinstance(a, tuple) else a) == (list(b) if isinstance(b, tuple) else b)


def inherit_recipe(parent_meta: Mapping[str, Any], params: Mapping[str, Any] | None, sources: Sequence[str] | None,
                   notes: list[str], family: str = "incivility") -> tuple[dict[str, Any] | None, list[str] | None]:
    """The parameters and corpus sources to fit the candidate with: the parent's recorded ones
    (metadata ``parameters``, less ``random_state``, which is the seed; the ``source`` of each
    ``data`` entry), with ``params`` on top and ``sources`` instead when given. What is given and
    differs from the parent's is named in a note. A parent that recorded nothing (no parent, or
    a folder without them) leaves ``params`` and ``sources`` as given."""
    from moderate.corpora import SOURCES
    from moderate.model import DEFAULT_PARAMS

    model_id = parent_meta.get("model_id")
    given = dict(params or {})
    recorded = parent_meta.get("parameters")
    if recorded:
        inherited = {k: v for k, v in recorded.items() if k in DEFAULT_PARAMS and k != "random_state"}
        gone = sorted(set(recorded) - set(DEFAULT_PARAMS) - {"random_state"})
        if gone:
            notes.append(f"{family}: the parent {model_id}'s parameter(s) {', '.join(gone)} are no longer known: not used")
        differ = [f"{k}={v!r} (parent: {inherited[k]!r})" for k, v in given.items()
                  if k in inherited and not _same_value(v, inherited[k])]
        if differ:
            notes.append(f"{family}: parameters differ from the parent {model_id}'s: " + ", ".join(differ))
        params = {**inherited, **given}
    parent_sources = [d["source"] for d in parent_meta.get("data") or [] if isinstance(d, Mapping) and "source" in d]
    if parent_sources:
        if sources:
            if set(sources) != set(parent_sources):
                notes.append(f"{family}: corpus sources {', '.join(sources)} differ from the parent {model_id}'s "
                             f"({', '.join(parent_sources)})")
        else:
            gone = [name for name in parent_sources if name not in SOURCES]
            if gone:
                notes.append(f"{family}: the parent {model_id}'s corpus source(s) {', '.join(gone)} are no longer "
                             "known: not used")
            kept = [name for name in parent_sources if name in SOURCES]
            # every shipped source is the default (None): the same corpus, the same cache entry
            sources = None if not kept or set(kept) == set(SOURCES) else kept
    return params, (list(sources) if sources else None)


def _note_held_out_dropped(family: str, counts: Mapping[str, Any], notes: list[str]) -> None:
    """A note on the shipped training rows a candidate was not trained on because their text is in
    the site's held-out slice (:func:`moderate.card.held_out_dropped`), if any."""
    from moderate.card import held_out_dropped

    dropped = held_out_dropped(counts)
    if dropped:
        notes.append(f"{family}: {dropped} not trained on: the same text is in the site's held-out slice")


def _decide(comparison: dict[str, Any] | None, promote: bool, force: bool) -> dict[str, Any]:
    by_rule = comparison["promote"] if comparison is not None else True
    do_promote = promote and (by_rule or force)
    return {
        "promoted": do_promote, "forced": do_promote and not by_rule,
        "reasons": comparison["reasons"] if comparison is not None else ["no current model to compare with"],
    }


def _finish(family: str, family_dir: Path, model_id: str, folder: Path, lineage: dict[str, Any],
            by: str | None, reason: str) -> RetrainResult:
    decision = lineage["decision"]
    summary = "; ".join(decision["reasons"])
    history.log_event(family_dir, {"event": "trained", "model_id": model_id, "parent": lineage["parent"],
                                   "promoted": decision["promoted"], "forced": decision["forced"], "by": by,
                                   "reason": (reason + ": " if reason else "") + summary})
    promoted = decision["promoted"]
    if promoted:
        event = history.promote(family_dir, model_id, by=by, forced=decision["forced"], expected_previous=lineage["parent"],
                                reason=(reason + ": " if reason else "") + ("forced: " if decision["forced"] else "") + summary)
        promoted = event is not None
        if not promoted:
            history.log_event(family_dir, {"event": "kept", "model_id": model_id, "by": by,
                                           "reason": f"CURRENT changed during training (was {lineage['parent']}): not promoted"})
    return RetrainResult(family, model_id, folder, lineage["parent"], promoted, decision["forced"] and promoted,
                         lineage["comparison"], registry.read_metadata(folder))


def _lineage_record(lin: _Lineage, resolved: pd.DataFrame, merged_away: int, policy: MergePolicy,
                    stats: dict[str, Any], comparison: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "parent": lin.parent_meta.get("model_id"),
        "label_files": lin.inherited_files + lin.new_files,
        "site_rows": {"total": int(len(lin.all_rows)), "inherited": int(len(lin.inherited)), "new": int(len(lin.new_rows)),
                      "duplicates_merged": merged_away, "texts": int(len(resolved)), **stats},
        "merge_policy": policy.to_dict(),
        "comparison": comparison,
    }


def retrain(
    label_paths: Sequence[str | Path],
    models_dir: Path = Path("models"),
    data_dir: Path | None = None,
    policy: MergePolicy | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    min_gain: float = DEFAULT_MIN_GAIN,
    force: bool = False,
    promote: bool = True,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    sources: Sequence[str] | None = None,
    text_col: str | None = None,
    articles: Mapping[str, tuple[str | None, str]] | None = None,
    families: Sequence[str] = ("incivility", "offtopic"),
    by: str | None = None,
    reason: str = "",
    corpus: pd.DataFrame | None = None,
    skipped_path: str | Path | None = None,
    holdout_share_explicit: bool | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> RetrainRun:
    """Run steps 1-6 of the module doc for each family with new labels. ``skipped_path``: write every
    skipped row (file, row, reason) there as CSV. ``holdout_share_explicit``: whether the user chose
    ``policy.holdout_share`` (an error if it differs from the parent's, see :func:`pin_holdout`);
    None: when it is not the :class:`MergePolicy` default."""
    policy = policy or MergePolicy()
    if holdout_share_explicit is None:
        holdout_share_explicit = policy.holdout_share != MergePolicy().holdout_share
    models_dir = Path(models_dir)
    rows, reports = read_label_files(label_paths, text_col)
    for report in reports:
        log(report_line(report))
    if skipped_path is not None:
        skipped_rows(reports).to_csv(skipped_path, index=False)
        log(f"every skipped row: {skipped_path}")
    if rows.empty:
        raise InputError("no usable label rows in " + ", ".join(map(str, label_paths)) + " (see the reasons above)")
    run = RetrainRun(reports)
    rows = join_articles(rows, articles, run.notes)
    has_incivility = rows[list(LABELS)].notna().any(axis=1)
    has_offtopic = rows[OFF_TOPIC].notna() & rows["article"].notna()
    do_incivility = "incivility" in families and has_incivility.any()
    do_offtopic = "offtopic" in families and has_offtopic.any()
    # both families' held-out slices are checked before either is trained
    if do_incivility:
        incivility_policy = pin_holdout(policy, models_dir, "incivility", holdout_share_explicit, run.notes)
    if do_offtopic:
        offtopic_policy = pin_holdout(policy, models_dir / OFFTOPIC_SUBDIR, "off-topic", holdout_share_explicit, run.notes)
    if do_incivility:
        run.incivility = _retrain_incivility(rows[has_incivility], reports, models_dir, data_dir, incivility_policy,
                                             tolerance, min_gain, force, promote, seed, params, sources, corpus, by,
                                             reason, run.notes, log)
    if do_offtopic:
        from moderate.corpora import _resolve_dir

        data_root = _resolve_dir(data_dir).parent  # data/comments -> data (labels/offtopic, pages/)
        run.offtopic = _retrain_offtopic(rows[has_offtopic], reports, models_dir, data_root, offtopic_policy,
                                         tolerance, min_gain, force, promote, seed, by, reason, run.notes, log)
    if not run.results:
        raise InputError("the label files have no label for the model families asked for (" + ", ".join(families) + ")")
    for note in run.notes:
        log(note)
    return run


def _retrain_incivility(rows, reports, models_dir, data_dir, policy, tolerance, min_gain, force, promote, seed,
                        params, sources, corpus, by, reason, notes, log) -> RetrainResult | None:
    from moderate.train import fit_candidate, write_candidate

    lin = _lineage(models_dir, rows, reports, notes, "incivility")
    if lin.new_rows.empty:
        notes.append("incivility: no new labels; the model is unchanged")
        return None
    all_rows = lin.all_rows
    duplicate_notes: list[str] = []
    resolved, merged_away = resolve_duplicates(all_rows, policy.duplicates, duplicate_notes)
    notes.extend(f"incivility: {note}" for note in duplicate_notes)
    log(f"incivility: {len(all_rows):,} labelled rows ({len(lin.inherited):,} inherited from "
        f"{lin.parent_meta.get('model_id', 'no parent')}), {merged_away:,} merged as duplicates ({policy.duplicates}) "
        f"-> {len(resolved):,} texts")
    params, sources = inherit_recipe(lin.parent_meta, params, sources, notes)
    candidate = fit_candidate(data_dir, params, seed, sources=sources, site=resolved, policy=policy, corpus=corpus, log=log)
    merged = candidate.merged
    _note_held_out_dropped("incivility", merged.stats, notes)
    comparison = None
    if lin.parent_folder is not None:
        log(f"scoring the shipped test split and {len(merged.holdout):,} held-out site rows with {lin.parent_folder.name}")
        parent = registry.load_model(lin.parent_folder)
        hold = merged.holdout["text"].tolist()
        empty = np.zeros((0, len(LABELS)))
        comparison = compare(
            candidate.test, parent.predict_proba(candidate.test["text"].tolist()), candidate.test_probs,
            merged.holdout, parent.predict_proba(hold) if hold else empty,
            candidate.estimator.predict_proba(hold) if hold else empty, tolerance=tolerance, min_gain=min_gain,
        )
    lineage = _lineage_record(lin, resolved, merged_away, policy, merged.stats, comparison)
    lineage["decision"] = _decide(comparison, promote, force)
    candidate.fingerprint["parent"] = lineage["parent"]  # a candidate never takes its parent's id
    result = write_candidate(candidate, models_dir, extra_metadata={"lineage": lineage},
                             extra_files={SITE_LABELS_NAME: _site_labels_bytes(all_rows)}, log=log)
    return _finish("incivility", models_dir, result.model_id, result.folder, lineage, by, reason)


def _retrain_offtopic(rows, reports, models_dir, data_dir, policy, tolerance, min_gain, force, promote, seed,
                      by, reason, notes, log) -> RetrainResult | None:
    import hashlib

    from moderate.offtopic.load import load_offtopic
    from moderate.offtopic.train import write_offtopic
    from moderate.retrain.offtopic import comparison_rows, fit_site_offtopic

    family_dir = models_dir / OFFTOPIC_SUBDIR
    lin = _lineage(family_dir, rows, reports, notes, "off-topic")
    if lin.new_rows.empty:
        notes.append("off-topic: no new labels; the model is unchanged")
        return None
    all_rows = lin.all_rows
    # one comment under two articles is two pairs: resolve duplicates per (text, article)
    text_key = all_rows["key"]
    paired = all_rows.assign(key=text_key + "\0" + all_rows["title"].fillna("") + "\0" + all_rows["article"].fillna(""))
    duplicate_notes: list[str] = []
    resolved, merged_away = resolve_duplicates(paired, policy.duplicates, duplicate_notes)
    notes.extend(f"off-topic: {note}" for note in duplicate_notes)
    resolved["key"] = resolved["key"].str.split("\0", n=1).str[0]
    log(f"off-topic: {len(all_rows):,} labelled pairs ({len(lin.inherited):,} inherited), {merged_away:,} merged "
        f"-> {len(resolved):,} texts; fitting the off-topic candidate")
    meta = lin.parent_meta
    params = meta.get("params")
    data, model, train_metrics, seconds, pairs = fit_site_offtopic(data_dir, resolved, policy, seed, params)
    held_out = {name: int(train_metrics.get(name, 0)) for name in ("shipped_pairs_held_out", "weak_pairs_held_out")}
    _note_held_out_dropped("off-topic", held_out, notes)
    comparison = None
    if lin.parent_folder is not None:
        parent = load_offtopic(lin.parent_folder).estimator
        rows_ = comparison_rows(data, pairs, parent, model, data_dir)
        comparison = compare(rows_["test"], rows_["parent_test"], rows_["candidate_test"], rows_["holdout"],
                             rows_["parent_holdout"], rows_["candidate_holdout"], tolerance=tolerance,
                             min_gain=min_gain, labels=(OFF_TOPIC,))
    stats = {"site_train": int((pairs["split"] == "train").sum()), "site_holdout": int((pairs["split"] == "holdout").sum()),
             "site_articles": int(pairs["article_id"].nunique()), **held_out}
    lineage = _lineage_record(lin, resolved, merged_away, policy, stats, comparison)
    lineage["decision"] = _decide(comparison, promote, force)
    site_hash = hashlib.sha256(pd.util.hash_pandas_object(pairs[["pair_id", "target", "split"]], index=False)
                               .to_numpy().tobytes()).hexdigest()
    folder = write_offtopic(model, train_metrics, seconds, data, data_dir, models_dir, seed, params,
                            fingerprint_extra=site_hash + repr(sorted(policy.to_dict().items())) + str(lineage["parent"]),
                            extra_metadata={"lineage": lineage}, extra_files={SITE_LABELS_NAME: _site_labels_bytes(all_rows)})
    return _finish("offtopic", family_dir, folder.name, folder, lineage, by, reason)


def report_line(report: LabelFileReport) -> str:
    """One paragraph per file: read, used, skipped and why, unknown columns."""
    parts = [f"{report.path} ({report.format}): {report.rows_read:,} rows read, {report.rows_used:,} used"]
    if report.skipped:
        parts.append("skipped " + ", ".join(f"{n:,} {reason}" for reason, n in report.skipped.most_common()))
    for note, n in report.notes.items():
        parts.append(f"{n:,} {note}")
    if report.label_counts:
        parts.append("labels " + ", ".join(f"{label} {n:,}" for label, n in report.label_counts.items()))
    if report.unknown_columns:
        parts.append("unknown columns ignored: " + ", ".join(report.unknown_columns))
    text = "; ".join(parts)
    if report.bad_rows:
        text += "\n  first skipped rows: " + "; ".join(f"row {line}: {reason}" for line, reason in report.bad_rows[:MAX_LISTED])
    return text
