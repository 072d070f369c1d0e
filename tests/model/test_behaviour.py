"""Behaviour of the committed default model (models/CURRENT).

These are model tests in the Made-With-ML sense: invariances and directional
expectations that any acceptable model must meet, plus a gate on its stored metrics.
"""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderate import registry
from moderate.schema import LABELS, REJECT
from moderate.score import score_frame

CIVIL = [
    "The council should publish the budget before the vote, not after.",
    "I grew up near this park and it is good to see it restored.",
    "Interesting article. I wonder how the new rules will be enforced.",
    "My grandmother made this recipe every winter; I still use it.",
    "The referee made the right call in the second half.",
]


@pytest.fixture(scope="module")
def model() -> registry.LoadedModel:
    return registry.load_model()


def probs(model: registry.LoadedModel, texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(model.predict_proba(texts), columns=list(model.labels))


def test_default_model_is_loadable_and_complete(model) -> None:
    assert model.labels == LABELS
    for label in LABELS:
        review, reject = model.thresholds[label]["review"], model.thresholds[label]["reject"]
        assert 0 < review <= reject <= 1
    assert (model.path / "MODEL_CARD.md").is_file()
    assert (model.path / "model.skops").stat().st_size < 20 * 1024 * 1024


@pytest.mark.parametrize("civil", CIVIL)
def test_inserting_an_insult_raises_insult_and_toxicity(model, civil: str) -> None:
    rude = civil + " You are a pathetic idiot."
    before, after = probs(model, [civil, rude]).to_numpy()
    assert after[LABELS.index("insult")] > before[LABELS.index("insult")] + 0.2
    assert after[LABELS.index("toxicity")] > before[LABELS.index("toxicity")] + 0.2


@pytest.mark.parametrize("civil", CIVIL)
def test_appending_thanks_does_not_reject_a_civil_comment(model, civil: str) -> None:
    scored = score_frame(pd.DataFrame({"text": [civil, civil + " thanks!"]}), model=model)
    assert REJECT not in scored["decision"].tolist()
    assert abs(scored["toxicity"].iloc[0] - scored["toxicity"].iloc[1]) < 0.1


@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("you are an 1d10t", "you are an idiot"),
        ("shut up, f*ck off", "shut up, fuck off"),
        ("what a stuuuuupid take", "what a stupid take"),
        ("you m o r o n", "you moron"),
        ("you absolute a$$hole", "you absolute asshole"),
    ],
)
def test_obfuscation_scores_like_the_plain_word(model, obfuscated: str, plain: str) -> None:
    a, b = probs(model, [obfuscated, plain]).to_numpy()
    assert np.allclose(a, b, atol=0.02)


def test_threat_and_identity_attack_respond_to_their_cues(model) -> None:
    base = probs(model, ["I disagree with your view on the new stadium."]).iloc[0]
    threat = probs(model, ["I know where you live and I will kill you."]).iloc[0]
    assert threat["threat"] > base["threat"] + 0.1
    obscene = probs(model, ["this is fucking bullshit"]).iloc[0]
    assert obscene["obscene"] > base["obscene"] + 0.1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=12))
def test_scores_in_unit_interval_and_batch_equals_single(model, texts: list[str]) -> None:
    batch = model.predict_proba(texts)
    assert np.all((batch >= 0) & (batch <= 1))
    single = np.vstack([model.predict_proba([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-6)


def test_stored_metrics_gate(model) -> None:
    """The committed model's own dev/test figures stay above floors (a regression gate)."""
    floors = {"toxicity": 0.93, "insult": 0.80, "obscene": 0.72, "identity_attack": 0.80, "threat": 0.85}
    for split in ("dev", "test"):
        for label, floor in floors.items():
            assert model.metadata["metrics"][split][label]["roc_auc"] >= floor, (split, label)
    for label in LABELS:
        assert model.metadata["metrics"]["dev"][label]["ece"] < 0.05, label


def test_committed_evaluation_beats_alt_profanity_check(model) -> None:
    report_path = model.path / "evaluation.json"
    if not report_path.is_file():
        pytest.fail(f"{report_path} is missing: run `moderate evaluate` and commit it")
    report = json.loads(report_path.read_text())
    assert report["model_id"] == model.model_id
    headline = report["headline"]
    assert headline["pooled_toxicity_auc"]["model"] > headline["pooled_toxicity_auc"]["alt-profanity-check"]
    for row in headline["news_sources"]:
        assert row["model"] > row["alt-profanity-check"], row
