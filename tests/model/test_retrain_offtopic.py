"""Retraining the off-topic model with a site's own pairs (end to end on the shipped data; slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from moderate import history, registry
from moderate.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPAM = ["Buy cheap watches at www.bestdeals.example now", "Check out my channel, link in bio",
        "I make $500 a day working from home, ask me how", "Visit my profile for free coupons"]


def _site_pairs(path: Path, n_articles: int = 30) -> Path:
    """Comments quoting their article (on) and spam (off), under real scrapinghub articles."""
    from moderate.pages.data import scrapinghub_pages

    rows = []
    for k, page in enumerate(scrapinghub_pages(ROOT / "data")[:n_articles]):
        body = page.extra["body"]
        sentences = [s for s in body.split(". ") if 40 < len(s) < 200][:3]
        for j, sentence in enumerate(sentences):
            rows.append({"text": f"So {sentence.lower()}? That is the point {j}.", "off_topic": "on", "article_id": f"a{k}"})
        rows.append({"text": f"{SPAM[k % len(SPAM)]} #{k}", "off_topic": "off", "article_id": f"a{k}"})
        rows.append({"text": f"{SPAM[(k + 1) % len(SPAM)]} !{k}", "off_topic": "generic", "article_id": f"a{k}"})
    pd.DataFrame(rows).to_csv(path, index=False)
    articles = pd.DataFrame([{"article_id": f"a{k}", "title": p.doc_title, "body": p.extra["body"]}
                             for k, p in enumerate(scrapinghub_pages(ROOT / "data")[:n_articles])])
    articles.to_csv(path.with_name("articles.csv"), index=False)
    return path


@pytest.mark.slow
def test_offtopic_labels_make_an_offtopic_candidate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    models_dir = tmp_path / "models"
    current = registry.current_model_id(ROOT / "models" / "offtopic")
    (models_dir / "offtopic").mkdir(parents=True)
    shutil.copytree(ROOT / "models" / "offtopic" / current, models_dir / "offtopic" / current)
    registry.set_current(models_dir / "offtopic", current)
    labels = _site_pairs(tmp_path / "pairs.csv")
    code = main(["train", "--labels", str(labels), "--articles", str(tmp_path / "articles.csv"),
                 "--models-dir", str(models_dir), "--data-dir", str(ROOT / "data" / "comments"), "--force", "--by", "test"])
    assert code == 0
    out = capsys.readouterr().out
    assert "offtopic candidate" in out and "incivility" not in out  # off_topic labels only: one family
    new = registry.current_model_id(models_dir / "offtopic")
    assert new != current
    meta = registry.read_metadata(models_dir / "offtopic" / new)
    lineage = meta["lineage"]
    assert lineage["parent"] == current
    assert lineage["site_rows"]["site_train"] + lineage["site_rows"]["site_holdout"] == lineage["site_rows"]["texts"]
    comparison = lineage["comparison"]
    shipped = comparison["shipped_test"]["off_topic"]
    assert shipped["n"] > 500  # the shipped held-out human labels
    # the parent's figure on those rows is the one in its own evaluation
    assert shipped["parent"] == pytest.approx(registry.read_metadata(ROOT / "models" / "offtopic" / current)["test_metrics"]["human_roc_auc"], abs=1e-9)
    assert meta["test_metrics"]["human_roc_auc"] == pytest.approx(shipped["candidate"], abs=1e-9)
    assert "What changed" in (models_dir / "offtopic" / new / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert [e["event"] for e in history.read_events(models_dir / "offtopic")] == ["trained", "promote"]
    # the promoted candidate scores comments like any off-topic model
    from moderate.score import score_frame

    frame = pd.DataFrame({"text": ["Buy cheap watches now", "The harbour plan is a good idea"],
                          "article": ["The council approved the harbour plan.", "The council approved the harbour plan."]})
    result = score_frame(frame, article_col="article", offtopic_model=models_dir / "offtopic")
    assert result["offtopic_model_id"].iloc[0] == new
    assert result["off_topic"].iloc[0] > result["off_topic"].iloc[1]
