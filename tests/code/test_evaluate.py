"""Unit tests for moderate.evaluate, moderate.baselines and the evaluate command (no real data)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moderate import evaluate as ev
from moderate.commands import evaluate as cmd
from moderate.schema import LABELS

# --------------------------------------------------------------------------- fixtures

CIVIL = [
    "thanks for the thoughtful article",
    "i agree with the council decision",
    "the bus schedule changed last week",
    "great reporting on the local election",
    "could you clarify the budget numbers",
    "interesting point about the new park",
    "the weather was lovely at the festival",
    "i read this every morning with coffee",
]
RUDE = [
    "you are an idiot and a moron",
    "shut up you stupid fool",
    "what a pathetic idiot you are",
    "you stupid moron nobody cares",
    "this idiot writer is a clown",
    "go away you pathetic loser",
    "only a moron would write this crap",
    "you are a stupid ignorant fool",
]


def _corpus(seed: int = 0) -> pd.DataFrame:
    """A tiny corpus: two news sources and one twitter source, all three splits."""
    rng = np.random.default_rng(seed)
    rows = []
    for source, domain in (("news_a", "news"), ("news_b", "news"), ("tweets", "twitter")):
        for split in ("train", "dev", "test"):
            for i, text in enumerate(CIVIL + RUDE):
                rude = i >= len(CIVIL)
                rows.append(
                    {
                        "source": source,
                        "domain": domain,
                        "text": f"{text} {rng.integers(1000)}",
                        "toxicity": 1.0 if rude else 0.0,
                        "insult": (1.0 if rude else 0.0) if source != "tweets" else np.nan,
                        "obscene": 1.0 if "crap" in text else 0.0,
                        "identity_attack": np.nan,
                        "threat": 0.0,
                        "split": split,
                        "key": f"{source}-{split}-{i}",
                    }
                )
    return pd.DataFrame(rows)


class FakeModel:
    """Scores by counting rude words; the LoadedModel interface without a file."""

    RUDE_WORDS = ("idiot", "moron", "stupid", "pathetic", "fool", "loser", "clown", "crap")

    def __init__(self, path: Path | None = None) -> None:
        self.model_id = "fake-0001"
        self.labels = LABELS
        self.thresholds = {label: {"review": 0.5, "reject": 0.8} for label in LABELS}
        self.metadata: dict = {}
        self.path = path

    def predict_proba(self, texts):
        hits = np.array([sum(w in t for w in self.RUDE_WORDS) for t in texts], dtype=float)
        p = np.clip(0.1 + 0.35 * hits, 0, 0.95)
        return np.repeat(p[:, None], len(self.labels), axis=1)


# --------------------------------------------------------------------------- calibration


def test_ece_small_when_calibrated_large_when_not():
    rng = np.random.default_rng(0)
    prob = rng.uniform(size=50_000)
    y = (rng.uniform(size=prob.size) < prob).astype(int)
    assert ev.expected_calibration_error(y, prob) < 0.02
    overconfident = np.where(prob > 0.5, 0.99, 0.01)
    assert ev.expected_calibration_error(y, overconfident) > 0.2
    assert ev.expected_calibration_error(y, np.clip(prob + 0.3, 0, 1)) > 0.2


def test_ece_exact_value_and_edge_bins():
    # one bin [0.9, 1.0] holding prob 0.9 and 1.0 (1.0 goes in the last bin), both positive
    assert ev.expected_calibration_error([1, 1], [0.9, 1.0]) == pytest.approx(0.05)
    assert np.isnan(ev.expected_calibration_error([], []))


def test_reliability_table_bins():
    table = ev.reliability_table([0, 1, 1, 0], [0.05, 0.07, 0.95, 1.0], n_bins=10)
    assert [(b["bin_lo"], b["n"]) for b in table] == [(0.0, 2), (0.9, 2)]
    assert table[0]["frac_positive"] == pytest.approx(0.5)
    assert table[1]["mean_prob"] == pytest.approx(0.975)
    assert sum(b["n"] for b in table) == 4


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="only 0 and 1"):
        ev.label_metrics([0, 2], [0.1, 0.2], 0.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        ev.label_metrics([0, 1], [0.1, 1.2], 0.5)
    with pytest.raises(ValueError, match="rows"):
        ev.label_metrics([0, 1, 1], [0.1, 0.2], 0.5)


# --------------------------------------------------------------------------- label metrics


def test_label_metrics_values():
    m = ev.label_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], threshold=0.5)
    assert m["n"] == 4 and m["n_pos"] == 2
    assert m["roc_auc"] == pytest.approx(0.75)
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(0.5)
    assert m["f1"] == pytest.approx(0.5)
    assert set(m) == set(ev.METRIC_KEYS)


def test_label_metrics_one_class_slice():
    m = ev.label_metrics([1, 1, 1], [0.2, 0.7, 0.9], threshold=0.5)
    assert m["roc_auc"] is None and m["average_precision"] is None
    assert m["precision"] == 1.0 and m["recall"] == pytest.approx(2 / 3)
    negatives = ev.label_metrics([0, 0], [0.2, 0.3], threshold=0.5)
    assert negatives["roc_auc"] is None and negatives["f1"] == 0.0 and negatives["n_pos"] == 0


def test_paired_auc_difference_matches_auc_and_bootstrap():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=400)
    a = np.clip(0.3 * y + rng.uniform(size=400) * 0.7, 0, 1)
    b = np.clip(0.5 * a + 0.5 * rng.uniform(size=400), 0, 1)
    diff, se = ev.paired_auc_difference(y, a, b)
    assert diff == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b))
    boots = []
    for _ in range(300):
        i = rng.integers(0, 400, size=400)
        boots.append(roc_auc_score(y[i], a[i]) - roc_auc_score(y[i], b[i]))
    assert se == pytest.approx(np.std(boots), rel=0.25)
    assert ev.paired_auc_difference(y, a, a) == (0.0, 0.0)
    assert ev.paired_auc_difference([1, 0, 0], [0.9, 0.1, 0.2], [0.5, 0.5, 0.5]) is None


# --------------------------------------------------------------------------- thresholds


def test_review_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.8])
    review = ev.choose_thresholds(y, p)["review"]
    best = max(ev.label_metrics(y, p, t)["f1"] for t in np.unique(p))
    assert ev.label_metrics(y, p, review)["f1"] == pytest.approx(best)
    assert review == 0.35  # F1 8/9 at 0.35 (one false positive) beats 6/7 at 0.6


def test_review_tie_goes_to_higher_threshold():
    # thresholds 0.5 and 0.3 both give F1 = 2/3 (tp=1 fp=0 fn=1 vs tp=2 fp=2 fn=0)
    y = np.array([1, 0, 0, 1])
    p = np.array([0.9, 0.4, 0.35, 0.3])
    assert ev.choose_thresholds(y, p)["review"] == 0.9


def test_reject_precision_when_achievable():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=2000)
    p = np.clip(0.5 * y + rng.normal(0.25, 0.15, size=y.size), 0, 1)
    t = ev.choose_thresholds(y, p, min_reject_precision=0.95)
    assert t["reject"] >= t["review"]
    reject = ev.label_metrics(y, p, t["reject"])
    assert reject["precision"] >= 0.95
    assert int((p >= t["reject"]).sum()) >= 10
    # the smallest such threshold (unless clamped up to review): one step lower misses it
    unclamped = ev.choose_thresholds(y, p, min_reject_precision=0.999)
    assert unclamped["reject"] > unclamped["review"]
    lower = p[p < unclamped["reject"]].max()
    assert ev.label_metrics(y, p, unclamped["reject"])["precision"] >= 0.999
    assert ev.label_metrics(y, p, lower)["precision"] < 0.999


def test_reject_fallback_above_every_negative():
    # precision never reaches 0.9 with >= 10 positives: too few positives
    y = np.array([0] * 20 + [1] * 5)
    p = np.r_[np.linspace(0.0, 0.7, 20), np.linspace(0.5, 0.9, 5)]
    t = ev.choose_thresholds(y, p)
    assert t["reject"] > 0.7 and t["reject"] >= t["review"]
    assert not ((p >= t["reject"]) & (y == 0)).any()


@pytest.mark.parametrize("seed", range(5))
def test_reject_never_below_review(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=60)
    p = rng.uniform(size=60)
    t = ev.choose_thresholds(y, p, min_reject_precision=0.5)
    assert 0.0 <= t["review"] <= t["reject"]


# --------------------------------------------------------------------------- slices


def test_metrics_frame_slices_and_unknown_labels():
    frame = pd.DataFrame(
        {
            "source": ["a", "a", "a", "b", "b", "b"],
            "domain": ["news", "news", "news", "twitter", "twitter", "twitter"],
            "toxicity": [0.0, 1.0, 0.6, 0.0, 0.2, np.nan],
            "insult": [np.nan, np.nan, np.nan, 0.0, 1.0, 1.0],
        }
    )
    probs = np.array([[0.1, 0.1], [0.9, 0.2], [0.7, 0.3], [0.2, 0.1], [0.4, 0.8], [0.9, 0.9]])
    labels = ["toxicity", "insult"]
    thresholds = {"toxicity": 0.5, "insult": {"review": 0.5, "reject": 0.9}}
    rows = ev.metrics_frame(frame, probs, labels, thresholds)
    got = {(r["label"], r["slice"]): r for r in rows}
    assert set(got) == {
        ("toxicity", "a"), ("toxicity", "b"), ("toxicity", "pooled"),
        ("insult", "b"), ("insult", "pooled"),
    }
    assert got[("toxicity", "pooled")]["n"] == 5 and got[("toxicity", "pooled")]["n_pos"] == 2
    assert got[("toxicity", "b")]["roc_auc"] is None  # b has no toxic row once NaN is dropped
    assert got[("toxicity", "a")]["roc_auc"] == 1.0
    assert got[("insult", "b")]["threshold"] == 0.5 and got[("insult", "b")]["n"] == 3
    assert {r["system"] for r in rows} == {"model"}

    by_domain = ev.metrics_frame(
        frame, probs, labels, thresholds, by=("source", "domain"), system="x"
    )
    slices = {(r["by"], r["slice"]) for r in by_domain if r["label"] == "toxicity"}
    assert slices == {
        ("source", "a"),
        ("source", "b"),
        ("domain", "news"),
        ("domain", "twitter"),
        ("pooled", "pooled"),
    }

    with pytest.raises(ValueError, match="shape"):
        ev.metrics_frame(frame, probs[:3], labels, thresholds)


# --------------------------------------------------------------------------- report


def _report(corpus: pd.DataFrame | None = None):
    corpus = _corpus() if corpus is None else corpus
    test = corpus[corpus["split"] == "test"].reset_index(drop=True)
    rng = np.random.default_rng(3)
    reference = rng.uniform(size=(len(test), len(LABELS)))
    return ev.evaluate_model(FakeModel(), test, {"alt-profanity-check": reference}, split="test")


def test_evaluate_model_report():
    report = _report()
    assert report["model_id"] == "fake-0001" and report["n_rows"] == 48
    assert set(report["systems"]) == {"model", "alt-profanity-check"}
    assert report["systems"]["alt-profanity-check"]["thresholds"]["toxicity"] == 0.5
    head = report["headline"]
    assert set(head["pooled_toxicity_auc"]) == {"model", "alt-profanity-check"}
    assert [s["source"] for s in head["news_sources"]] == ["news_a", "news_b"]
    for item in head["news_sources"]:
        assert item["label"] == "toxicity" and item["beats_profanity_check"]
        assert item["model"] > item["alt-profanity-check"]
        assert item["auc_minus_profanity_check"] > 0 and item["auc_difference_se"] >= 0
    assert head["flagged_sources"] == []
    assert set(report["reliability"]) == {"toxicity", "insult", "obscene", "threat"}
    assert report["data"]["sources"]["tweets"]["labels"]["insult"]["n_known"] == 0
    json.dumps(report, allow_nan=False)  # strict JSON: no NaN anywhere


def test_headline_uses_insult_when_toxicity_has_one_class_and_flags():
    corpus = _corpus()
    corpus.loc[corpus["source"] == "news_b", "toxicity"] = np.where(
        corpus.loc[corpus["source"] == "news_b", "insult"] >= 0.5, 1.0, np.nan
    )
    test = corpus[corpus["split"] == "test"].reset_index(drop=True)
    oracle = np.repeat(test[["insult"]].fillna(0).to_numpy(), len(LABELS), axis=1)
    report = ev.evaluate_model(FakeModel(), test, {"alt-profanity-check": oracle})
    news_b = next(s for s in report["headline"]["news_sources"] if s["source"] == "news_b")
    assert news_b["label"] == "insult"
    assert news_b["beats_profanity_check"] is False  # a perfect reference ties the model at 1.0
    assert "news_b" in report["headline"]["flagged_sources"]


def test_render_markdown_sections():
    text = ev.render_markdown(_report())
    for heading in (
        "# Evaluation of `fake-0001`",
        "## Headline",
        "## Pooled metrics",
        "## Toxicity per source",
        "## Per domain",
        "## Per source and label",
        "## Model calibration",
        "## Data",
        "## Versions",
    ):
        assert heading in text
    assert "alt-profanity-check" in text and "| model |" in text.replace("`", "")


# --------------------------------------------------------------------------- baselines


def test_tfidf_baseline_learns_tiny_corpus():
    from moderate.baselines import TfidfLogRegBaseline, tfidf_logreg_scores

    corpus = _corpus()
    train, dev, test = (corpus[corpus["split"] == s] for s in ("train", "dev", "test"))
    scores = tfidf_logreg_scores(train, dev, test["text"].tolist())
    assert scores.probs.shape == (len(test), len(LABELS))
    tox = scores.probs[:, LABELS.index("toxicity")]
    assert tox[test["toxicity"].to_numpy() == 1].min() > tox[test["toxicity"].to_numpy() == 0].max()
    # identity_attack is never known: constant prediction, default threshold
    assert np.all(scores.probs[:, LABELS.index("identity_attack")] == 0.0)
    assert TfidfLogRegBaseline(C=1.0).C == 1.0  # keyword arguments stored, nothing fitted
    assert not hasattr(TfidfLogRegBaseline(), "vectorizer_")


def test_profanity_check_scores_shape():
    pytest.importorskip("profanity_check")
    from moderate.baselines import profanity_check_scores

    scores = profanity_check_scores(["have a nice day", "fuck you asshole"], LABELS)
    assert scores.probs.shape == (2, len(LABELS))
    assert np.all(scores.probs[:, 0] == scores.probs[:, 3])
    assert scores.probs[1, 0] > scores.probs[0, 0]


# --------------------------------------------------------------------------- command


@pytest.fixture
def fake_io(monkeypatch, tmp_path):
    """The evaluate command with a tiny corpus and a fake model in tmp_path/model."""
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    seen = {}

    def load_corpora(data_dir):
        seen["data_dir"] = data_dir
        return _corpus()

    monkeypatch.setattr(cmd, "_load_corpora", load_corpora)
    monkeypatch.setattr(cmd, "_load_model", lambda path: FakeModel(model_dir))
    monkeypatch.setattr(cmd, "_describe_data", lambda data_dir: [{"source": "news_a", "files": []}])
    return model_dir, seen


def _parse(argv):
    parser = argparse.ArgumentParser(prog="moderate")
    cmd.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_command_writes_report_next_to_model(fake_io, capsys):
    model_dir, seen = fake_io
    args = _parse(["evaluate", "--data-dir", "tiny", "--no-offtopic"])
    assert args.run(args) == 0
    assert seen["data_dir"] == "tiny"
    report = json.loads((model_dir / "evaluation.json").read_text())
    assert set(report["systems"]) == {"model", "alt-profanity-check", "tfidf-logreg"}
    assert report["split"] == "test" and report["data"]["data_dir"] == "tiny"
    assert report["data"]["provenance"][0]["source"] == "news_a"
    assert "model_scoring" in report["timings"]
    assert "## Headline" in (model_dir / "evaluation.md").read_text()
    captured = capsys.readouterr()
    assert "pooled ROC AUC" in captured.out and "tfidf-logreg" in captured.out
    assert "scoring 48 test comments" in captured.err


def test_command_output_option_and_no_baselines(fake_io, tmp_path, capsys):
    out = tmp_path / "reports" / "eval.md"
    out.parent.mkdir()
    args = _parse(["evaluate", "-o", str(out), "--no-baselines", "--split", "dev", "--no-offtopic"])
    assert args.run(args) == 0
    report = json.loads(out.with_suffix(".json").read_text())
    assert list(report["systems"]) == ["model"] and report["split"] == "dev"
    assert report["headline"]["flagged_sources"] == []
    assert out.read_text().startswith("# Evaluation of `fake-0001`")


def test_command_through_main(fake_io):
    cli = pytest.importorskip("moderate.cli")
    try:
        parser = cli.build_parser()
    except ImportError as exc:  # another command module not written yet
        pytest.skip(f"cli not complete: {exc}")
    model_dir, _ = fake_io
    assert parser.parse_args(["evaluate", "--no-baselines"]).run is cmd.run
    assert cli.main(["evaluate", "--no-baselines", "--no-offtopic"]) == 0
    assert (model_dir / "evaluation.json").is_file()


def test_missing_reference_package_names_the_extra(monkeypatch) -> None:
    import builtins

    from moderate.baselines import profanity_check_scores
    from moderate.errors import MissingExtraError

    real_import = builtins.__import__

    def no_profanity_check(name, *args, **kwargs):
        if name == "profanity_check":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_profanity_check)
    with pytest.raises(MissingExtraError, match=r"pip install 'moderate\[test\]'"):
        profanity_check_scores(["some text"])


def test_choose_thresholds_reject_floor() -> None:
    y = np.array([0] * 50 + [1] * 50)
    prob = np.linspace(0.0, 1.0, 100)  # perfectly separated at 0.5
    free = ev.choose_thresholds(y, prob)
    floored = ev.choose_thresholds(y, prob, min_reject_score=0.9)
    assert free["reject"] < 0.9
    assert floored["reject"] == 0.9
    assert floored["review"] == free["review"]
