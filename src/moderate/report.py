"""Markdown rendering of an evaluation report (:func:`moderate.evaluate.evaluate_model`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from moderate.evaluate import MODEL_SYSTEM, POOLED


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], body: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in body]
    return lines + [""]


class _Rows:
    """Metric rows of a report, looked up by (system, by, slice, label)."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        self.systems: list[str] = list(report["systems"])
        self.index = {(r["system"], r["by"], r["slice"], r["label"]): r for r in report["metrics"]}
        self.sources = sorted({r["slice"] for r in report["metrics"] if r["by"] == "source"})
        self.domains = sorted({r["slice"] for r in report["metrics"] if r["by"] == "domain"})

    def get(self, system: str, by: str, name: str, label: str) -> dict[str, Any] | None:
        return self.index.get((system, by, name, label))

    def each_system(self, by: str, name: str, label: str, key: str) -> list[Any]:
        rows = (self.get(s, by, name, label) for s in self.systems)
        return [row[key] if row else None for row in rows]


def _md_intro(report: Mapping[str, Any]) -> list[str]:
    systems = ", ".join(f"`{s}`" for s in report["systems"])
    return [
        f"# Evaluation of `{report['model_id']}`",
        "",
        f"Split **{report.get('split') or 'given rows'}**, {report['n_rows']:,} comments from "
        f"{len(report['data'].get('sources', {}))} sources; created {report['created_utc']}. "
        f"Systems: {systems}. Truth is `label >= 0.5` on the rows where a source supplies the "
        "label; F1 / precision / recall are at each system's threshold (the model's `review` "
        "threshold). `–` = undefined (one class in the slice).",
        "",
    ]


def _md_headline(report: Mapping[str, Any]) -> list[str]:
    systems = list(report["systems"])
    head = report["headline"]
    out = ["## Headline", ""]
    if head["pooled_toxicity_auc"]:
        out += ["Pooled toxicity ROC AUC:", ""]
        pooled = head["pooled_toxicity_auc"]
        out += _table(["system", "ROC AUC"], [(s, pooled.get(s)) for s in systems])
    if not head["news_sources"]:
        return out
    out += [
        "ROC AUC per news source (label = toxicity, or the first label with both classes "
        "there); **flag** = the model does not beat alt-profanity-check. The difference to "
        "alt-profanity-check is given ± 1.96 paired (DeLong) standard errors: a flag whose "
        "interval spans 0 is within noise.",
        "",
    ]
    body = []
    for item in head["news_sources"]:
        diff, se = item.get("auc_minus_profanity_check"), item.get("auc_difference_se")
        body.append(
            (
                item["source"],
                item["label"],
                item.get("n"),
                item.get("n_pos"),
                *(item.get(s) for s in systems),
                "–" if diff is None else f"{diff:+.3f} ± {1.96 * se:.3f}",
                "**flag**" if item["beats_profanity_check"] is False else "",
            )
        )
    header = ["source", "label", "n", "n_pos", *systems, "model − alt-profanity-check", ""]
    out += _table(header, body)
    if head["flagged_sources"]:
        out += [f"Flagged: {', '.join(head['flagged_sources'])}.", ""]
    return out


def _md_pooled(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    labels, systems = report["labels"], rows.systems
    out = ["## Pooled metrics", "", "ROC AUC, label x system:", ""]
    body = [(lab, *rows.each_system(POOLED, POOLED, lab, "roc_auc")) for lab in labels]
    out += _table(["label", *systems], body)
    out += ["All pooled metrics:", ""]
    keys = ("n", "n_pos", "roc_auc", "average_precision", "f1", "precision", "recall", "ece")
    body = []
    for label in labels:
        for system in systems:
            row = rows.get(system, POOLED, POOLED, label)
            if row is not None:
                body.append((label, system, *(row[k] for k in keys), row["threshold"]))
    header = ["label", "system", "n", "n_pos", "ROC AUC", "AP", "F1", "precision", "recall"]
    return out + _table([*header, "ECE", "threshold"], body)


def _md_toxicity_per_source(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    if "toxicity" not in report["labels"]:
        return []
    systems, data_sources = rows.systems, report["data"].get("sources", {})
    body = []
    for source in rows.sources:
        model = rows.get(MODEL_SYSTEM, "source", source, "toxicity")
        if model is None:
            continue
        body.append(
            (
                source,
                data_sources.get(source, {}).get("domain"),
                model["n"],
                model["n_pos"],
                *rows.each_system("source", source, "toxicity", "roc_auc"),
                *rows.each_system("source", source, "toxicity", "average_precision"),
                model["f1"],
                model["ece"],
            )
        )
    header = ["source", "domain", "n", "n_pos", *(f"AUC {s}" for s in systems)]
    header += [*(f"AP {s}" for s in systems), "F1 model", "ECE model"]
    return ["## Toxicity per source", "", *_table(header, body)]


def _md_per_domain(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    body = []
    for domain in rows.domains:
        for label in report["labels"]:
            model = rows.get(MODEL_SYSTEM, "domain", domain, label)
            if model is not None:
                aucs = rows.each_system("domain", domain, label, "roc_auc")
                body.append((domain, label, model["n"], model["n_pos"], *aucs, model["f1"]))
    header = ["domain", "label", "n", "n_pos", *rows.systems, "F1 model"]
    intro = "ROC AUC per system, and the model's F1:"
    return ["## Per domain", "", intro, "", *_table(header, body)]


def _md_per_source_label(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    out = ["## Per source and label", ""]
    model_keys = ("f1", "precision", "recall", "ece")
    for label in report["labels"]:
        body = []
        for source in rows.sources:
            model = rows.get(MODEL_SYSTEM, "source", source, label)
            if model is not None:
                aucs = rows.each_system("source", source, label, "roc_auc")
                body.append(
                    (source, model["n"], model["n_pos"], *aucs, *(model[k] for k in model_keys))
                )
        if body:
            header = ["source", "n", "n_pos", *(f"AUC {s}" for s in rows.systems)]
            header += ["F1 model", "P model", "R model", "ECE model"]
            out += [f"### {label}", "", *_table(header, body)]
    return out


def _bin_name(row: Mapping[str, Any]) -> str:
    return f"{row['bin_lo']:.1f}–{row['bin_hi']:.1f}"


def _md_model_detail(report: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    if report.get("model_reject"):
        keys = ("threshold", "reject_rate", "precision", "recall", "f1", "n_pos")
        body = [(lab, *(m[k] for k in keys)) for lab, m in report["model_reject"].items()]
        header = ["label", "reject threshold", "reject rate", "precision", "recall", "F1", "n_pos"]
        out += ["## Model at its reject thresholds (pooled)", "", *_table(header, body)]
    if report.get("reliability"):
        out += ["## Model calibration (pooled reliability)", ""]
        for label, rel in report["reliability"].items():
            body = [(_bin_name(b), b["n"], b["mean_prob"], b["frac_positive"]) for b in rel["bins"]]
            out += [f"### {label} (ECE {_fmt(rel['ece'])})", ""]
            out += _table(["bin", "n", "mean prob", "fraction positive"], body)
    return out


def _md_systems(report: Mapping[str, Any]) -> list[str]:
    out = ["## Systems", ""]
    for name, info in report["systems"].items():
        thresholds = ", ".join(f"{lab} {_fmt(t)}" for lab, t in info["thresholds"].items())
        out.append(f"- `{name}`: {info.get('description') or ''} (thresholds: {thresholds})")
    out.append("")
    if len(report["systems"]) > 1:
        out += ["Reference systems are scored on the same rows in the same run as the model.", ""]
    return out


def _md_data(report: Mapping[str, Any]) -> list[str]:
    data, labels = report["data"], report["labels"]
    out = ["## Data", ""]
    summary_keys = ("sources", "sha256", "n_rows", "splits")
    for key, value in data.items():
        if key in summary_keys or isinstance(value, (list, tuple)):
            continue  # provenance lists are in the JSON only
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
        out.append(f"- {key}: {value}")
    out.append(f"- rows: {data['n_rows']:,}; splits: {', '.join(data.get('splits', [])) or '–'}")
    out += [f"- sha256 of the evaluated rows: `{data['sha256']}`", ""]

    def counts(info: Mapping[str, Any], label: str) -> str:
        known = info["labels"].get(label, {})
        return f"{known['n_pos']}/{known['n_known']}" if known.get("n_known") else "–"

    body = [
        (source, info["domain"], info["n"], *(counts(info, lab) for lab in labels))
        for source, info in data.get("sources", {}).items()
    ]
    return out + _table(["source", "domain", "n", *(f"{lab} pos/known" for lab in labels)], body)


def _md_footer(report: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    if report.get("timings"):
        out += ["## Run time", "", *(f"- {k}: {v} s" for k, v in report["timings"].items()), ""]
    out += ["## Versions", "", *(f"- {k}: {v}" for k, v in report["versions"].items()), ""]
    return out


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: headline, pooled tables, per-source tables, calibration, data."""
    rows = _Rows(report)
    sections = (
        _md_intro(report),
        _md_headline(report),
        _md_pooled(report, rows),
        _md_toxicity_per_source(report, rows),
        _md_per_domain(report, rows),
        _md_per_source_label(report, rows),
        _md_model_detail(report),
        _md_systems(report),
        _md_data(report),
        _md_footer(report),
    )
    return "\n".join(line for section in sections for line in section)
