"""The merge policy: how a site's labels join the shipped corpora.

Written down here and recorded in every model folder that used it (``metadata.merge_policy``):

1. **Same text, labelled twice** (same :func:`moderate.corpora.normalise_key`, within or across
   label files, including the labels inherited from the parent model): resolved per label.
   ``latest`` (default): the value with the latest ``labeled_at`` wins; rows without a date
   count as older than any dated row, and among equals the later file, then the later row,
   wins (an undated value from a later file that loses to a dated one is counted in a note).
   ``majority``: the mean of the values given (a fraction of labelers, like the corpora's
   rater fractions; it counts as positive at >= 0.5).
2. **Held out, never trained on**: a fixed slice of the site's texts, chosen by the SHA-1 of
   ``salt + key`` (``holdout_share``, default 20 %), so the same text is always on the same side,
   in every retraining. Texts that fall in the shipped corpora's dev or test split are held out
   too: training on them would leak into the shipped test figures. A held-out site text that is
   also in the shipped corpora's training split (same key, :func:`moderate.corpora.normalise_key`
   for both) is dropped from the corpus training rows as well, so the candidate is never trained
   on it through the corpus (``corpus_rows_held_out``).
3. **Site labels weigh more**: every site row trains with weight ``site_weight`` (default 10;
   the corpora weigh 1.0, Twitter 0.5). The default was chosen on a simulated site that no reported
   figure uses (``benchmarks/retrain_loop.py --site-source kaggle_insults``, 1,000 random labels):
   weights 3 / 10 / 30 gained +0.027 / +0.031 / +0.033 held-out ROC AUC, and 30 was the only one
   to drop a shipped test label by more than the 0.005 tolerance (-0.0057). A site text that is
   also in the shipped training split replaces that corpus row: the site's values win for the
   labels it gives, the corpus keeps the others.
4. Thresholds are still chosen on the shipped dev split; the site's held-out slice is only
   used to compare models.

``off_topic`` labels are carried through (the merged frame keeps them with their article) but
the incivility model does not train on them.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from moderate.errors import InputError
from moderate.retrain.labelfile import LABEL_COLUMNS
from moderate.schema import LABELS

DUPLICATE_RULES: tuple[str, ...] = ("latest", "majority")
SITE_SOURCE = "site"


@dataclass(frozen=True)
class MergePolicy:
    """The tunable parts of the policy (see the module docstring)."""

    duplicates: str = "latest"
    site_weight: float = 10.0
    holdout_share: float = 0.2
    holdout_salt: str = "moderate-site-holdout-v1"

    def __post_init__(self) -> None:
        if self.duplicates not in DUPLICATE_RULES:
            raise InputError(f"unknown duplicate rule {self.duplicates!r}; use one of {', '.join(DUPLICATE_RULES)}")
        if not 0.0 < self.holdout_share < 1.0:
            raise InputError(f"the held-out share must be between 0 and 1, got {self.holdout_share}")
        if self.site_weight <= 0:
            raise InputError(f"the site weight must be positive, got {self.site_weight}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def in_holdout(key: str, policy: MergePolicy) -> bool:
    digest = hashlib.sha1((policy.holdout_salt + "\0" + key).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 10_000 < policy.holdout_share * 10_000


def resolve_duplicates(rows: pd.DataFrame, rule: str = "latest",
                       notes: list[str] | None = None) -> tuple[pd.DataFrame, int]:
    """One row per key; returns the resolved frame and how many rows were merged into others.

    ``rows`` has the columns of :data:`moderate.retrain.labelfile.ROW_COLUMNS` (``file`` and
    ``line`` give the order of equals). The other columns (text, article, labeler ...) come
    from the row that wins most recently. With ``latest`` and a ``notes`` list, the texts where
    an undated value from a later file lost to a different, dated value (an undated correction
    that did not apply) are counted in a note.
    """
    if rows.empty:
        return rows.copy(), 0
    stamp = rows["labeled_at"]
    order = pd.DataFrame({
        "dated": stamp.notna().astype(int),
        "stamp": stamp.fillna(pd.Timestamp(0, tz="UTC")),
        "file": rows["file"], "line": rows["line"],
    })
    ordered = rows.loc[order.sort_values(["dated", "stamp", "file", "line"], kind="stable").index]
    grouped = ordered.groupby("key", sort=False)
    base = grouped.last()  # non-label columns of the latest row (last() skips NaN per column)
    if rule == "latest":
        values = grouped[list(LABEL_COLUMNS)].last()  # the latest non-missing value per label
        lost = _undated_lost(ordered) if notes is not None else 0
        if lost:
            notes.append(f"{lost:,} text{'s' if lost != 1 else ''}: an undated label lost to a dated one "
                         "(give labeled_at to let corrections win)")
    else:
        values = grouped[list(LABEL_COLUMNS)].mean()
    merged = base.drop(columns=list(LABEL_COLUMNS)).join(values).reset_index()
    merged = merged[[c for c in rows.columns]]
    return merged.reset_index(drop=True), int(len(rows) - len(merged))


def _undated_lost(ordered: pd.DataFrame) -> int:
    """Keys where, for some label, the winner is dated and an undated row of a later file gave
    another value (``ordered``: sorted as :func:`resolve_duplicates` sorts, winners last)."""
    undated_rows = ordered["labeled_at"].isna()
    if undated_rows.all() or not undated_rows.any():
        return 0
    lost: set[str] = set()
    for label in LABEL_COLUMNS:
        have = ordered[ordered[label].notna()]
        winners = have.groupby("key", sort=False).tail(1).set_index("key")
        winners = winners[winners["labeled_at"].notna()]
        undated = have[have["labeled_at"].isna() & have["key"].isin(winners.index)]
        if undated.empty:
            continue
        win = winners.loc[undated["key"]]
        later = undated["file"].to_numpy() > win["file"].to_numpy()
        differs = undated[label].to_numpy() != win[label].to_numpy()
        lost.update(undated["key"][later & differs])
    return len(lost)


@dataclass
class Merged:
    """The result of :func:`merge`."""

    train: pd.DataFrame  # corpus train split with site rows: columns of the corpus + "weight"
    holdout: pd.DataFrame  # the site's held-out rows (resolved), never trained on
    stats: dict[str, int]


def merge(corpus: pd.DataFrame, site: pd.DataFrame, policy: MergePolicy,
          domain_weight: pd.Series) -> Merged:
    """Join resolved site rows to the corpus frame (from :func:`moderate.corpora.load_corpora`).

    ``domain_weight`` gives each corpus row's weight (same index as ``corpus``). Returns the
    training frame (the corpus ``train`` split, with overridden rows replaced and rows of held-out
    site texts dropped, plus the site's training rows; a ``weight`` column) and the site's
    held-out rows. Both sides are matched on the ``key`` column: :func:`moderate.corpora.normalise_key`
    of the text, as :func:`moderate.corpora.load_corpora` and the label files compute it.
    """
    corpus_split = dict(zip(corpus["key"], corpus["split"]))
    held = np.array([
        in_holdout(k, policy) or corpus_split.get(k, "train") != "train" for k in site["key"]
    ], dtype=bool)
    holdout = site[held].reset_index(drop=True)
    site_train = site[~held].reset_index(drop=True)
    incivility = site_train[list(LABELS)].notna().any(axis=1)
    trainable = site_train[incivility]

    train = corpus[corpus["split"] == "train"]
    # a held-out site text is never trained on, not even through a corpus row with the same key
    held_in_corpus = train["key"].isin(set(holdout["key"]))
    train = train[~held_in_corpus].copy()
    train["weight"] = domain_weight.loc[train.index].to_numpy(dtype=float)
    overlap = train["key"].isin(set(trainable["key"]))
    replaced = train[overlap]
    site_rows = trainable[["text", "key", *LABELS]].copy()
    if len(replaced):
        # the corpus keeps the labels the site did not give (first corpus row per key)
        old = replaced.drop_duplicates("key").set_index("key")[list(LABELS)]
        filled = site_rows.set_index("key")[list(LABELS)].combine_first(old.reindex(site_rows["key"]))
        site_rows[list(LABELS)] = filled.loc[site_rows["key"]].to_numpy()
    site_rows["source"] = SITE_SOURCE
    site_rows["split"] = "train"
    site_rows["weight"] = policy.site_weight
    train = pd.concat([train[~overlap], site_rows[list(train.columns)]], ignore_index=True)
    stats = {
        "site_rows": len(site),
        "site_holdout": len(holdout),
        "site_holdout_shipped_dev_test": int(sum(corpus_split.get(k, "train") != "train" for k in holdout["key"])),
        "site_train": len(site_train),
        "site_train_incivility": len(trainable),
        "corpus_rows_replaced": int(overlap.sum()),
        "corpus_rows_held_out": int(held_in_corpus.sum()),
        "train_rows": len(train),
    }
    return Merged(train, holdout, stats)
