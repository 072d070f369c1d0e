"""MODEL_CARD.md for a model folder, rendered from its metadata (one source of truth)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moderate.schema import LABELS


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _metrics_table(metrics: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| label | n | positives | ROC AUC | avg precision | F1 @ review | ECE |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in LABELS:
        m = metrics.get(label, {})
        lines.append(
            f"| {label} | {m.get('n', 0):,} | {m.get('n_pos', 0):,} | {_fmt(m.get('roc_auc'))} | "
            f"{_fmt(m.get('average_precision'))} | {_fmt(m.get('f1'))} | {_fmt(m.get('ece'))} |"
        )
    return lines


def _plural(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' if n != 1 else ''}"


#: Counts of shipped training rows a retraining dropped because their text is in the site's
#: held-out slice, and what each counts.
HELD_OUT_DROPPED = (("corpus_rows_held_out", "corpus training row"), ("shipped_pairs_held_out", "shipped training pair"),
                    ("weak_pairs_held_out", "weak (swapped-article) pair"))


def held_out_dropped(counts: Mapping[str, Any]) -> str | None:
    """"3 corpus training rows", "1 shipped training pair and 2 weak (swapped-article) pairs":
    the shipped training rows not trained on because their text is held out (None: none)."""
    parts = [_plural(int(counts.get(key, 0)), what) for key, what in HELD_OUT_DROPPED if counts.get(key, 0)]
    return " and ".join(parts) if parts else None


def _held_out_dropped(rows: dict[str, Any]) -> list[str]:
    """A paragraph on :func:`held_out_dropped` (none when there were none)."""
    dropped = held_out_dropped(rows)
    return [f"Not trained on, because the same text is in the site's held-out slice: {dropped}.", ""] if dropped else []


def what_changed(meta: dict[str, Any]) -> list[str]:
    """The lineage of a model retrained with site labels (``moderate train --labels``)."""
    lineage = meta.get("lineage")
    if not lineage:
        return []
    rows = lineage.get("site_rows", {})
    policy = lineage.get("merge_policy", {})
    decision = lineage.get("decision", {})
    lines = [
        "## What changed",
        "",
        f"Retrained from `{lineage.get('parent') or 'no parent'}` with a site's own labels: "
        f"{rows.get('texts', 0):,} labelled texts ({rows.get('new', 0):,} new rows, {rows.get('inherited', 0):,} "
        f"inherited from the parent, {rows.get('duplicates_merged', 0):,} duplicates merged by the "
        f"`{policy.get('duplicates')}` rule); "
        + (f"{rows.get('site_train_incivility', 0):,} trained on with weight {policy.get('site_weight')} "
           f"({rows.get('corpus_rows_replaced', 0):,} corpus rows replaced), " if "site_train_incivility" in rows
           else f"{rows.get('site_train', 0):,} pairs trained on with weight 1, ")
        + f"{rows.get('site_holdout', 0):,} held out for the comparison (share {policy.get('holdout_share')} by text hash"
        + (", plus texts in the shipped dev/test splits)." if "site_train_incivility" in rows else ")."),
        "",
        *_held_out_dropped(rows),
        "| label file | format | sha256 | rows read | used | added in |",
        "|---|---|---|---:|---:|---|",
        *[
            f"| {f.get('path')} | {f.get('format')} | `{str(f.get('sha256'))[:12]}` | {f.get('rows_read', 0):,} | "
            f"{f.get('rows_used', 0):,} | {'this model' if f.get('added_in') == 'self' else f.get('added_in')} |"
            for f in lineage.get("label_files", [])
        ],
        "",
    ]
    comparison = lineage.get("comparison")
    if comparison:
        lines += [
            f"Compared with the parent on the same rows (tolerance {comparison['rule']['tolerance']} ROC AUC per label "
            "on the shipped test split):",
            "",
            "| rows | label | n | positives | parent ROC AUC | this model | change |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for title, table in (("held-out site labels", comparison["site_holdout"]), ("shipped test", comparison["shipped_test"])):
            for label, row in table.items():
                if row["n"]:
                    change = "n/a" if row["delta"] is None else f"{row['delta']:+.3f}"
                    lines.append(f"| {title} | {label} | {row['n']:,} | {row['n_pos']:,} | {_fmt(row['parent'])} | "
                                 f"{_fmt(row['candidate'])} | {change} |")
        lines.append("")
    verdict = "promoted" + (" (forced)" if decision.get("forced") else "") if decision.get("promoted") else "kept, not promoted"
    lines += [f"Decision at training time: **{verdict}**. " + " ".join(f"{r}." for r in decision.get("reasons", [])), ""]
    return lines


def render_model_card(meta: dict[str, Any]) -> str:
    """Markdown model card: intended use, data, thresholds, metrics, limits."""
    thresholds = meta["thresholds"]
    data = meta.get("data", [])
    lines = [
        f"# Model card: `{meta['model_id']}`",
        "",
        f"Created {meta.get('created')} with moderate {meta.get('versions', {}).get('moderate', '?')}, "
        f"scikit-learn {meta.get('versions', {}).get('scikit-learn', '?')}.",
        "",
        *what_changed(meta),
        "## Intended use",
        "",
        "Scores reader comments (English) for five kinds of incivility: "
        + ", ".join(f"`{label}`" for label in LABELS)
        + ". Each score is a calibrated probability that raters would give the comment that "
        "label. The scores and the `reject` / `review` / `approve` decision are meant to "
        "**prioritise human moderation** (queue ordering, pre-moderation holds), not to "
        "remove comments without a person looking at them.",
        "",
        "Not for: non-English text, judging people, legal decisions, or texts far from "
        "online comments (long documents, code, chat logs).",
        "",
        "## Model",
        "",
        "Text normalisation that undoes common obfuscation (case, repeated letters, "
        "leetspeak, masked letters, spaced-out letters, look-alike characters), word 1-2-gram "
        "TF-IDF and subword character 2-5-gram TF-IDF features, "
        f"lexicon features from {meta.get('lexicon_words', 0):,} words whose share of "
        "Toxic Spans annotations (train split) was learned per label (not for "
        "identity_attack: raters mark identity words themselves), and one logistic-regression "
        "head per label, trained only on rows where that label is known, with out-of-fold "
        "calibration (isotonic when a label has >= "
        f"{meta.get('parameters', {}).get('isotonic_min_positives', '?')} positives, else Platt).",
        "",
        f"Parameters: `{meta.get('parameters')}`; seed {meta.get('seed')}; domain weights "
        f"`{meta.get('domain_weights')}`; {meta.get('implied_negatives')}.",
        "",
        "## Decision rule",
        "",
        f"{meta.get('decision_rule')}. Thresholds ({meta.get('threshold_rule')}) can be "
        "overridden when scoring: `moderate score ... --threshold toxicity.reject=0.95`. "
        "Probabilities are calibrated on the pooled dev split, which is about half toxic; "
        "on a site where far fewer comments are uncivil, the same score means a lower "
        "chance of incivility, so review queues are longer than the dev figures suggest.",
        "",
        "| label | review | reject |",
        "|---|---:|---:|",
        *[
            f"| {label} | {thresholds[label]['review']:.3f} | {thresholds[label]['reject']:.3f} |"
            for label in LABELS
        ],
        "",
        "## Training data",
        "",
        "| source | domain | licence | rows |",
        "|---|---|---|---:|",
        *[
            f"| {d['source']} | {d['domain']} | {d['licence']}"
            + (" **(non-commercial)**" if d.get("non_commercial") else "")
            + f" | {d['rows']:,} |"
            for d in data
        ],
        "",
        f"**Licence note.** {meta.get('licence_note')}",
        "",
        f"Split sizes: {meta.get('split_sizes')} ({meta.get('split_rule')}).",
        "",
        "## Metrics",
        "",
        "Dev split (thresholds chosen here):",
        "",
        *_metrics_table(meta.get("metrics", {}).get("dev", {})),
        "",
        "Test split (never used for any choice):",
        "",
        *_metrics_table(meta.get("metrics", {}).get("test", {})),
        "",
        "Per-source figures and the comparison with `alt-profanity-check` and a plain "
        "TF-IDF + logistic-regression baseline are in `evaluation.md` in this folder "
        "(`moderate evaluate`).",
        "",
        "## Known limits",
        "",
        "- English only; trained on news comments (Civil Comments, Globe and Mail), "
        "Wikipedia talk pages, tweets and Reddit. Other platforms' slang will be weaker.",
        "- `threat` is the weakest label: 90 majority-vote examples, all from Toxic Spans. "
        "Threats without violent keywords are often missed (\"Somebody should put a bullet "
        "in that candidate\" scores low); such comments usually still reach `review` only "
        "through `toxicity`, if at all.",
        "- `identity_attack` comes from Davidson, HatEval, OLID and Toxic Spans: it catches "
        "slurs and explicit hate; attacks phrased as opinions (\"women are too emotional to "
        "lead\") are often missed.",
        "- A bag-of-n-grams model: it does not understand negation, quotation or "
        "counter-speech (\"calling someone an idiot is wrong\" still raises `insult`), "
        "and it can associate identity terms with toxicity because they co-occur in the "
        "training data.",
        "- Base rates differ by site: calibration holds on the pooled dev split; on a "
        "site with far fewer (or more) uncivil comments the probabilities shift. Retrain "
        "with the site's own labels.",
        "- Labels of some sources are approximate mappings (see `data/README.md`).",
        "",
    ]
    return "\n".join(lines)
