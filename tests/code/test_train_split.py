"""End to end: train a (small) splitter from the shipped data, save it, load it, evaluate it."""

import json
from pathlib import Path

import pytest

from moderate.cli import main
from moderate.pages.split import Splitter

DATA = Path(__file__).resolve().parents[2] / "data"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


@pytest.mark.slow
def test_train_split_then_evaluate_split(tmp_path, capsys):
    models = tmp_path / "splitter"
    args = ["train-split", "--data-dir", str(DATA), "--models-dir", str(models), "--rendered-text", "40",
            "--rendered-html", "20", "--param", "max_iter=15", "--param", "folds=2"]
    assert main(args) == 0
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert (models / "CURRENT").read_text().strip() == folder.name
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["kind"] == "page-splitter" and meta["training"]["pages"]["rendered"] == 60
    splitter = Splitter.load(models)
    assert splitter.model_id == folder.name
    report = tmp_path / "eval.md"
    code = main(["evaluate-split", "--splitter", str(models), "--data-dir", str(DATA), "--seeds", str(SEEDS),
                 "--rendered", "10", "-o", str(report)])
    assert code in (0, 1)  # 1 = a floor not met, which a 15-iteration model may well do
    result = json.loads(report.with_suffix(".json").read_text())
    assert result["sections"]["dragnet_heldout"]["pages"] == 100
    assert result["sections"]["dragnet_heldout"]["comment_f1"] > 0.5
    assert set(result["seeds"]) == {"000_4aaaeb5d82a7d66c.txt", "004_dc72d3cab54b6f82.txt"}

    # refit only the segmenter: a new folder whose line classifier is the parent's, made current
    assert main(["train-split", "--segmenter-only", "--data-dir", str(DATA), "--models-dir", str(models)]) == 0
    refit = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert refit != folder and (models / "CURRENT").read_text().strip() == refit.name
    meta = json.loads((refit / "metadata.json").read_text())
    assert meta["segmenter"]["refitted_from"] == folder.name and meta["training"]["pages"]["rendered"] == 60
    parent, child = Splitter.load(folder).labeller, Splitter.load(models).labeller
    assert child.first_.n_iter_ == parent.first_.n_iter_ and child.segmenter_ is not None
    assert "Refitted on" in (refit / "MODEL_CARD.md").read_text()


def test_segmenter_only_refuses_classifier_options(tmp_path):
    assert main(["train-split", "--segmenter-only", "--data-dir", str(DATA), "--models-dir", str(tmp_path),
                 "--param", "max_iter=5"]) == 2


def test_train_split_rejects_unknown_parameters(tmp_path):
    assert main(["train-split", "--data-dir", str(DATA), "--models-dir", str(tmp_path), "--param", "C=2"]) == 2


def test_combine_saved_splitters(tiny_splitter_dir, tmp_path, capsys):
    """--combine averages saved splitters into a new current folder (two copies of one model: the
    same labels as the model alone)."""
    from moderate.pages.model import LabellerEnsemble

    models = tmp_path / "splitter"
    assert main(["train-split", "--combine", str(tiny_splitter_dir), str(tiny_splitter_dir),
                 "--models-dir", str(models)]) == 0
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert (models / "CURRENT").read_text().strip() == folder.name
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["members"] == 2 and meta["member_models"] == ["splitter-tiny", "splitter-tiny"]
    from moderate.pages.train import splitter_card

    card = splitter_card({**meta, "training": {"pages": {}, "blocks": {}, "rendered_text_pages": 1,
                                               "rendered_html_pages": 1, "rendered_weight": 0.5}, "licence_note": ""})
    assert "An average of 2" in card and "splitter-tiny, splitter-tiny" in card
    combined, alone = Splitter.load(models), Splitter.load(tiny_splitter_dir)
    assert isinstance(combined.labeller, LabellerEnsemble)
    page = "Council approves new budget\nBy Jane Doe | 3 March 2014\nThe council approved it.\nSarah says:\nGreat news.\nReply"
    assert combined.split_text(page).to_dict() == alone.split_text(page).to_dict()
    assert main(["train-split", "--combine", str(tiny_splitter_dir), "--models-dir", str(models)]) == 2
    assert main(["train-split", "--combine", str(tiny_splitter_dir), str(tiny_splitter_dir), "--members", "2",
                 "--models-dir", str(models)]) == 2
