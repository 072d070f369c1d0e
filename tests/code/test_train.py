"""Training: target construction, and a small end-to-end run (determinism, folder contents)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moderate import cli, registry
from moderate.schema import LABELS
from moderate.train import train_model, training_targets


def test_implied_negatives_fill_only_unknown_sublabels_of_clean_rows() -> None:
    frame = pd.DataFrame(
        {
            "toxicity": [0.0, 0.05, 0.5, np.nan, 0.0],
            "insult": [np.nan, np.nan, np.nan, np.nan, 1.0],
            "obscene": [np.nan] * 5,
            "identity_attack": [np.nan] * 5,
            "threat": [np.nan] * 5,
        }
    )
    targets = training_targets(frame)
    assert targets[0].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]
    assert targets[1, 1:].tolist() == [0.0] * 4  # toxicity <= 0.1 counts as clean
    assert np.isnan(targets[2, 1:]).all()  # borderline toxicity implies nothing
    assert np.isnan(targets[3]).all()
    assert targets[4, 1] == 1.0  # a known label is never overwritten
    assert frame["insult"].isna().sum() == 4  # the input frame is not modified


SMALL = {
    "word_max_features": 5000,
    "char_max_features": 5000,
    "calibration_folds": 2,
    "n_jobs": 1,
}


@pytest.mark.slow
def test_training_is_deterministic_and_writes_a_complete_folder(tmp_path: Path) -> None:
    sources = ["toxic_spans", "ucc_unhealthy"]
    first = train_model(models_dir=tmp_path / "a", params=SMALL, sources=sources, seed=3)
    second = train_model(
        models_dir=tmp_path / "b", params=SMALL, sources=sources, seed=3, promote=False
    )
    assert first.metadata["metrics"] == second.metadata["metrics"]
    assert first.model_id == second.model_id
    assert (tmp_path / "a" / "CURRENT").read_text().strip() == first.model_id
    assert not (tmp_path / "b" / "CURRENT").exists()

    folder = first.folder
    meta = json.loads((folder / "metadata.json").read_text())
    for key in ("format_version", "versions", "labels", "thresholds", "data", "split_sizes",
                "parameters", "seed", "created", "metrics", "reliability_dev", "corpus_sha256"):
        assert key in meta, key
    assert meta["seed"] == 3 and meta["labels"] == list(LABELS)
    assert all(len(f["sha256"]) == 64 for d in meta["data"] for f in d["files"])
    assert meta["non_commercial_sources"] == ["ucc_unhealthy"]
    card = (folder / "MODEL_CARD.md").read_text()
    assert "non-commercial" in card
    assert "scikit-learn 1.9" in card and "moderate ?" not in card
    loaded = registry.load_model(folder)
    texts = ["you are a pathetic idiot", "thanks for the article"]
    assert np.array_equal(loaded.predict_proba(texts), first.estimator.predict_proba(texts))


def test_train_cli_rejects_unknown_parameters(capsys) -> None:
    assert cli.main(["train", "--param", "bogus=1"]) == 2
    assert "unknown parameter" in capsys.readouterr().err


def test_train_py_is_a_thin_wrapper() -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "train.py"), "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "usage: moderate train" in out.stdout
