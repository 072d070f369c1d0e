"""Labelled comment corpora: load the shipped sources into one labelled frame.

The corpora live under ``data/comments/<source>/`` (see ``data/README.md`` for their
origin, licences and the exact label mappings implemented here). Every source is mapped
onto the five incivility labels of :data:`moderate.schema.LABELS` as fractions in
``[0, 1]``; ``NaN`` means "this source does not say". The model binarises at 0.5 and may
use the fractions as soft weights.

Public API
----------
* :func:`default_data_dir` - where the corpora are (``$MODERATE_DATA`` overrides).
* :func:`normalise_key` / :func:`split_of` - the dedup key and the deterministic split.
* :data:`SOURCES` - one :class:`SourceInfo` per source, in load order.
* :func:`load_source` - the mapped rows of one source (before blank-dropping and dedup).
* :func:`load_corpora` - all sources, cleaned, deduplicated, with ``split`` and ``key``.
* :func:`describe_data` - per-source provenance (files, checksums, rows) for model metadata.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from moderate.errors import InputError
from moderate.schema import LABELS, SPLITS, SUBTYPES

__all__ = [
    "DATA_DIR_ENV",
    "SOURCES",
    "SourceInfo",
    "default_data_dir",
    "describe_data",
    "load_corpora",
    "load_source",
    "normalise_key",
    "split_of",
]

#: Environment variable that overrides the data directory.
DATA_DIR_ENV = "MODERATE_DATA"

#: Columns of the frame returned by :func:`load_corpora`, in order.
CORPUS_COLUMNS: tuple[str, ...] = ("source", "text", *LABELS, "split", "key")

_COMMENTS = Path("data") / "comments"


# --------------------------------------------------------------------------- data dir


def _looks_like_comments_dir(path: Path) -> bool:
    return path.is_dir()


def default_data_dir() -> Path:
    """Return the directory holding the comment corpora (``.../data/comments``).

    Order: ``$MODERATE_DATA`` (either the comments folder itself or a ``data`` folder
    that contains ``comments/``); else the nearest ``data/comments`` found walking up from
    the current directory; else the one found walking up from this file (a repository
    checkout). Raises :class:`~moderate.errors.InputError` if none exists.
    """
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        path = Path(env).expanduser()
        if (path / "comments").is_dir():
            return (path / "comments").resolve()
        if path.is_dir():
            return path.resolve()
        raise InputError(f"${DATA_DIR_ENV} points to {path}, which is not a directory")
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            candidate = folder / _COMMENTS
            if _looks_like_comments_dir(candidate):
                return candidate.resolve()
    raise InputError(
        "cannot find the comment corpora: no data/comments folder above the current "
        f"directory or the installed package; set ${DATA_DIR_ENV} to the data/comments folder"
    )


def _resolve_dir(data_dir: Path | str | None) -> Path:
    if data_dir is None:
        return default_data_dir()
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise InputError(f"data directory {path} does not exist or is not a directory")
    return path


# --------------------------------------------------------------------------- keys and splits

_NON_ALNUM = re.compile(r"[\W_]+")  # \W_ == every character for which str.isalnum() is False


def normalise_key(text: str) -> str:
    """Dedup / split key: NFKC, casefold, runs of non-alphanumerics -> one space, strip."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_ALNUM.sub(" ", folded).strip()


def _bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 1000


def _split_of_key(key: str, dev: float = 0.1, test: float = 0.1) -> str:
    bucket = _bucket(key)
    if bucket < test * 1000:
        return "test"
    if bucket < (test + dev) * 1000:
        return "dev"
    return "train"


def split_of(text: str, dev: float = 0.1, test: float = 0.1) -> str:
    """Deterministic split of a text: the SHA-1 bucket (0-999) of :func:`normalise_key`.

    Buckets below ``test*1000`` are "test", below ``(test+dev)*1000`` "dev", else "train".
    """
    return _split_of_key(normalise_key(text), dev, test)


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class SourceInfo:
    """One labelled corpus: provenance plus the labels it supplies."""

    name: str
    domain: str  # "news" | "wikipedia" | "twitter" | "reddit"
    licence: str
    non_commercial: bool
    files: tuple[str, ...]  # data files the loader reads, relative to data/comments
    labels: tuple[str, ...]  # labels this source supplies (others are NaN)
    description: str


SOURCES: dict[str, SourceInfo] = {
    info.name: info
    for info in (
        SourceInfo(
            name="toxic_spans",
            domain="news",
            licence="CC0-1.0",
            non_commercial=False,
            files=(
                "toxic_spans/data/comments_excl_semeval_test.csv",
                "toxic_spans/data/annotations_excl_semeval_test.csv",
                "toxic_spans/data/spans_excl_semeval_test.csv",
            ),
            labels=LABELS,
            description=(
                "Toxic Spans (Civil Comments news comments, all pre-rated toxic): per label the "
                "fraction of annotators who marked at least one span of that type"
            ),
        ),
        SourceInfo(
            name="c3",
            domain="news",
            licence="CC BY-NC-SA 4.0",
            non_commercial=True,
            files=("c3/C3_anonymized.csv",),
            labels=("toxicity", "insult"),
            description=(
                "Constructive Comments Corpus (Globe and Mail): graded crowd toxicity level and "
                "personal_attack votes"
            ),
        ),
        SourceInfo(
            name="ucc_unhealthy",
            domain="news",
            licence="CC BY-NC-SA 4.0",
            non_commercial=True,
            files=("ucc_unhealthy/val.csv",),
            labels=("toxicity",),
            description="Unhealthy Comment Corpus val split (Globe and Mail): soft 'hostile' or 'antagonize'",
        ),
        SourceInfo(
            name="kaggle_insults",
            domain="news",
            licence="none stated (Kaggle competition data)",
            non_commercial=False,
            files=("kaggle_insults/train.csv",),
            labels=("toxicity", "insult"),
            description=(
                "Kaggle 'Detecting Insults in Social Commentary' train set: insults to another "
                "participant; insults are toxic, non-insults are unknown for toxicity"
            ),
        ),
        SourceInfo(
            name="jigsaw_wiki_balanced",
            domain="wikipedia",
            licence="none stated; Jigsaw labels CC0, Wikipedia text CC BY-SA 3.0",
            non_commercial=False,
            files=("jigsaw_wiki_balanced/jigsaw_wiki_balanced_12k.csv",),
            labels=("toxicity",),
            description="Balanced 12k sample of the Jigsaw Wikipedia talk toxicity data",
        ),
        SourceInfo(
            name="wiki_talk_context",
            domain="wikipedia",
            licence="Apache-2.0",
            non_commercial=False,
            files=(
                "wiki_talk_context/gc.csv",
                "wiki_talk_context/gn.csv",
                "wiki_talk_context/cat_small.csv",
            ),
            labels=("toxicity",),
            description=(
                "Wikipedia talk comments of Pavlopoulos et al. 2020 (near-random draw, ~1.6% toxic); "
                "human labels only, the 'api' model score is never used"
            ),
        ),
        SourceInfo(
            name="davidson",
            domain="twitter",
            licence="MIT",
            non_commercial=False,
            files=("davidson/labeled_data.csv",),
            labels=("toxicity", "identity_attack"),
            description="Davidson et al. 2017 hate speech / offensive language tweets (annotator fractions)",
        ),
        SourceInfo(
            name="tweeteval_hate",
            domain="twitter",
            licence="TweetEval: released without restrictions (HatEval task terms may apply)",
            non_commercial=False,
            files=(
                "tweeteval/hate/train_text.txt",
                "tweeteval/hate/train_labels.txt",
                "tweeteval/hate/val_text.txt",
                "tweeteval/hate/val_labels.txt",
            ),
            labels=("toxicity", "identity_attack"),
            description=(
                "TweetEval hate (SemEval-2019 HatEval, hate against immigrants or women), "
                "train+val; hateful tweets are toxic, others unknown for toxicity"
            ),
        ),
        SourceInfo(
            name="olid",
            domain="twitter",
            licence="none stated (OLID v1.0)",
            non_commercial=False,
            files=("olid/olid-training-v1.0.tsv",),
            labels=("toxicity", "insult", "obscene", "identity_attack"),
            description="OLID v1.0 training set: offensive / targeted insult / untargeted profanity / target",
        ),
        SourceInfo(
            name="ruddit",
            domain="reddit",
            licence="MIT",
            non_commercial=False,
            files=("ruddit/ruddit_with_text.csv",),
            labels=("toxicity",),
            description=(
                "Ruddit Reddit comments (text re-attached by a third party): only clear cases of the "
                "offensiveness score (>= 0.5 toxic, <= 0 not toxic)"
            ),
        ),
    )
}


# --------------------------------------------------------------------------- helpers


def _path(data_dir: Path, rel: str) -> Path:
    path = data_dir / rel
    if not path.is_file():
        raise InputError(f"corpus file {rel} is missing from {data_dir}")
    return path


def _read_csv(data_dir: Path, rel: str, **kwargs) -> pd.DataFrame:
    path = _path(data_dir, rel)
    kwargs.setdefault("keep_default_na", False)  # a comment "NA" or "null" is text
    try:
        return pd.read_csv(path, **kwargs)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read corpus file {rel}: {exc}") from exc


def _require(frame: pd.DataFrame, rel: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"corpus file {rel} lacks column(s) {', '.join(missing)}")


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _unescape_html(texts: pd.Series) -> list[str]:
    """html.unescape, repeated (up to 3 times) for double-escaped entities like ``&amp;#9773;``."""
    out = []
    for text in texts:
        for _ in range(3):
            new = html.unescape(text)
            if new == text:
                break
            text = new
        out.append(text)
    return out


def _frame(text, **labels) -> pd.DataFrame:
    """A mapped frame: ``text`` plus every label (float64, NaN where not supplied)."""
    text = pd.Series(text).reset_index(drop=True)
    n = len(text)
    data: dict[str, object] = {"text": text}
    for label in LABELS:
        value = labels.get(label)
        if value is None:
            data[label] = np.full(n, np.nan)
        else:
            arr = np.asarray(value, dtype="float64")
            data[label] = np.clip(arr, 0.0, 1.0)  # NaN stays NaN
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}")
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- kaggle text

# One escape sequence: a run of \xHH (bytes or latin-1 code points), \uXXXX, \UXXXXXXXX,
# or a simple escape. Scanning left to right, "\\" is consumed before the "x" after it,
# so "\\xc2" decodes to the literal "\xc2" (which the next pass decodes again).
_KAGGLE_ESCAPE = re.compile(
    r"(?P<bytes>(?:\\x[0-9a-fA-F]{2})+)"
    r"|\\u(?P<u4>[0-9a-fA-F]{4})"
    r"|\\U(?P<u8>[0-9a-fA-F]{8})"
    r"|\\(?P<simple>[\\'\"nrt])"
)
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def _decode_bytes(raw: bytes) -> str:
    """UTF-8 where the bytes form valid UTF-8 sequences, latin-1 code points elsewhere."""
    text = raw.decode("utf-8", "surrogateescape")
    return "".join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


def _kaggle_sub(match: re.Match) -> str:
    if match.group("bytes"):
        raw = bytes.fromhex(match.group("bytes").replace("\\x", ""))
        return _decode_bytes(raw)
    if match.group("u4"):
        return chr(int(match.group("u4"), 16))
    if match.group("u8"):
        code = int(match.group("u8"), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return _SIMPLE[match.group("simple")]


def _decode_kaggle_text(raw: str) -> str:
    """Decode a Kaggle-insults ``Comment`` cell into the text the commenter wrote.

    The cells are wrapped in double quotes and carry escape sequences as literal text,
    sometimes escaped two or three times: ``\\n``, ``\\xa0``, ``\\u2019``, ``\\\\n``,
    ``\\\\xc2\\\\xa0`` (escaped UTF-8 bytes), ``\\\\'``. The wrapping quotes are removed,
    then escapes are decoded pass by pass until nothing changes (at most 4 passes). A run
    of ``\\xHH`` escapes is read as UTF-8 bytes when valid (``\\xc2\\xa0`` -> NBSP), else as
    latin-1 code points (``\\xa0`` -> NBSP, ``\\xe9`` -> é). Unknown escapes (``\\o/``) stay.
    """
    text = raw
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    for _ in range(4):
        if "\\" not in text:
            break
        new = _KAGGLE_ESCAPE.sub(_kaggle_sub, text)
        if new == text:
            break
        text = new
    return text


# --------------------------------------------------------------------------- per-source loaders

_SPAN_TYPES = {
    "Insult": "insult",
    "Insu": "insult",  # truncated type
    "Profane/Obscene": "obscene",
    "Identity based Attack": "identity_attack",
    "Identity based ": "identity_attack",  # truncated type
    "Threat": "threat",
    # "Other Toxicity" and "" count for toxicity only
}


def _load_toxic_spans(data_dir: Path) -> pd.DataFrame:
    f_com, f_ann, f_spn = SOURCES["toxic_spans"].files
    comments = _read_csv(data_dir, f_com, dtype={"comment_text": "str"})
    annotations = _read_csv(data_dir, f_ann)
    spans = _read_csv(data_dir, f_spn, dtype={"type": "str"})
    _require(comments, f_com, ["comment_id", "comment_text"])
    _require(annotations, f_ann, ["annotation", "comment_id"])
    _require(spans, f_spn, ["annotation", "type", "start", "end"])

    spans = spans.drop_duplicates()
    # one indicator row per (annotation, sub-label) the annotator marked at least once
    marked = pd.DataFrame(
        {"annotation": spans["annotation"], "label": spans["type"].map(_SPAN_TYPES)}
    ).dropna().drop_duplicates()
    marked["value"] = 1.0
    per_annotation = (
        marked.pivot_table(index="annotation", columns="label", values="value", aggfunc="max")
        .reindex(columns=list(SUBTYPES))
        .fillna(0.0)
    )
    ann = annotations[["annotation", "comment_id"]].drop_duplicates("annotation")
    ann = ann.join(per_annotation, on="annotation").fillna({label: 0.0 for label in SUBTYPES})
    per_comment = ann.groupby("comment_id")[list(SUBTYPES)].mean()
    # Every post was sampled from Civil Comments posts that at least half of their raters
    # called toxic, so toxicity is 1 wherever the post was annotated. (The share of
    # annotators marking any span measures how *explicit* the toxicity is; as a toxicity
    # label it would teach that a toxic post without an abusive word is civil.)
    per_comment.insert(0, "toxicity", 1.0)
    # comments without any annotation get NaN labels (and are dropped later)
    labelled = comments[["comment_id", "comment_text"]].join(per_comment, on="comment_id")
    return _frame(labelled["comment_text"], **{label: labelled[label] for label in LABELS})


_PERSONAL_ATTACK = re.compile(r"(?m)^\s*personal_attack\s*:\s*(\d+(?:\.\d+)?)\s*$")


def _load_c3(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["c3"].files
    df = _read_csv(data_dir, rel, dtype={"comment_text": "str", "toxicity_characteristics": "str"})
    _require(
        df,
        rel,
        ["comment_text", "crowd_toxicity_level", "toxicity_characteristics", "njudgements_toxicity_expt"],
    )
    level = _num(df["crowd_toxicity_level"])
    judgements = _num(df["njudgements_toxicity_expt"])
    votes = _num(df["toxicity_characteristics"].str.extract(_PERSONAL_ATTACK, expand=False)).fillna(0.0)
    toxicity = ((level - 1.0) / 2.0).clip(0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        insult = (votes / judgements.where(judgements > 0)).clip(0.0, 1.0)
    insult = insult.where(level.notna())  # no toxicity judgement -> insult unknown too
    return _frame(df["comment_text"], toxicity=toxicity, insult=insult)


def _load_ucc_unhealthy(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["ucc_unhealthy"].files
    df = _read_csv(data_dir, rel, dtype={"comment": "str"})
    attributes = ("hostile", "antagonize")
    _require(df, rel, ["comment", *attributes, *(f"{a}:confidence" for a in attributes)])

    def soft(attribute: str) -> pd.Series:
        value, conf = _num(df[attribute]), _num(df[f"{attribute}:confidence"])
        return value * conf + (1.0 - value) * (1.0 - conf)

    # Toxicity in the Perspective sense ("rude, disrespectful or unreasonable") covers
    # both hostile and antagonising comments; hostile alone has ~2% positives.
    toxicity = np.maximum(soft("hostile"), soft("antagonize"))
    return _frame(df["comment"], toxicity=toxicity)


def _load_kaggle_insults(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["kaggle_insults"].files
    df = _read_csv(data_dir, rel, dtype={"Comment": "str", "Date": "str"})
    _require(df, rel, ["Insult", "Comment"])
    insult = _num(df["Insult"])
    toxicity = insult.where(insult == 1.0)  # non-insults may still be toxic: unknown
    text = [_decode_kaggle_text(t) for t in df["Comment"]]
    return _frame(text, toxicity=toxicity, insult=insult)


def _load_jigsaw_wiki_balanced(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["jigsaw_wiki_balanced"].files
    df = _read_csv(data_dir, rel, header=None, dtype={0: "str"})
    if df.shape[1] < 2:
        raise InputError(f"corpus file {rel} should have two columns (text, label)")
    return _frame(df[0], toxicity=_num(df[1]))


def _load_wiki_talk_context(data_dir: Path) -> pd.DataFrame:
    f_gc, f_gn, f_small = SOURCES["wiki_talk_context"].files
    parts = []
    for rel in (f_gc, f_gn):
        df = _read_csv(data_dir, rel, dtype={"text": "str"})
        _require(df, rel, ["text", "label"])
        parts.append(_frame(df["text"], toxicity=_num(df["label"])))  # never the "api" score
    small = _read_csv(data_dir, f_small, dtype={"text": "str"})
    # CAT_SMALL has out-of-context (label_oc) and in-context (label_ic) labels; the model
    # scores a comment without its parent, so use the out-of-context label.
    _require(small, f_small, ["text", "label_oc"])
    parts.append(_frame(small["text"], toxicity=_num(small["label_oc"])))
    return pd.concat(parts, ignore_index=True)


def _load_davidson(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["davidson"].files
    df = _read_csv(data_dir, rel, dtype={"tweet": "str"})
    _require(df, rel, ["count", "hate_speech", "offensive_language", "tweet"])
    count = _num(df["count"]).where(lambda c: c > 0)
    hate = _num(df["hate_speech"])
    offensive = _num(df["offensive_language"])
    return _frame(
        _unescape_html(df["tweet"]),
        toxicity=(hate + offensive) / count,
        identity_attack=hate / count,
    )


def _read_lines(data_dir: Path, rel: str) -> list[str]:
    raw = _path(data_dir, rel).read_text(encoding="utf-8")
    lines = raw.split("\n")  # not splitlines(): tweets may contain U+2028 and friends
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _load_tweeteval_hate(data_dir: Path) -> pd.DataFrame:
    f_tt, f_tl, f_vt, f_vl = SOURCES["tweeteval_hate"].files
    texts: list[str] = []
    labels: list[str] = []
    for f_text, f_labels in ((f_tt, f_tl), (f_vt, f_vl)):
        t, lab = _read_lines(data_dir, f_text), _read_lines(data_dir, f_labels)
        if len(t) != len(lab):
            raise InputError(f"{f_text} has {len(t)} lines but {f_labels} has {len(lab)}")
        texts += t
        labels += lab
    label = _num(pd.Series(labels).str.strip())
    return _frame(
        _unescape_html(pd.Series(texts, dtype="str")),
        toxicity=label.where(label == 1.0),  # not hateful != not toxic: unknown
        identity_attack=label,
    )


def _load_olid(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["olid"].files
    # 24 tweets are cut inside a multi-byte UTF-8 character; drop the incomplete bytes.
    raw = _path(data_dir, rel).read_bytes().decode("utf-8", "ignore")
    try:
        df = pd.read_csv(
            io.StringIO(raw), sep="\t", keep_default_na=False, dtype="str", quoting=csv.QUOTE_MINIMAL
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read corpus file {rel}: {exc}") from exc
    _require(df, rel, ["tweet", "subtask_a", "subtask_b", "subtask_c"])
    a, b, c = (df[col].str.strip().str.upper() for col in ("subtask_a", "subtask_b", "subtask_c"))
    is_not, is_off = a == "NOT", a == "OFF"
    tin, unt = is_off & (b == "TIN"), is_off & (b == "UNT")
    toxicity = np.select([is_off, is_not], [1.0, 0.0], np.nan)
    insult = np.select([tin & (c == "IND"), is_not | unt], [1.0, 0.0], np.nan)
    obscene = np.select([unt, is_not], [1.0, 0.0], np.nan)
    identity = np.select([tin & (c == "GRP"), is_not | (tin & (c == "IND")) | unt], [1.0, 0.0], np.nan)
    return _frame(
        _unescape_html(df["tweet"]),
        toxicity=toxicity,
        insult=insult,
        obscene=obscene,
        identity_attack=identity,
    )


_DELETED = {"[deleted]", "[removed]"}


def _load_ruddit(data_dir: Path) -> pd.DataFrame:
    (rel,) = SOURCES["ruddit"].files
    df = _read_csv(data_dir, rel, dtype={"comment_body": "str"})
    _require(df, rel, ["comment_body", "offensiveness_score"])
    df = df[~df["comment_body"].str.strip().isin(_DELETED)]
    score = _num(df["offensiveness_score"])
    toxicity = np.select([score >= 0.5, score <= 0.0], [1.0, 0.0], np.nan)  # only clear cases
    return _frame(df["comment_body"], toxicity=toxicity)


_LOADERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "toxic_spans": _load_toxic_spans,
    "c3": _load_c3,
    "ucc_unhealthy": _load_ucc_unhealthy,
    "kaggle_insults": _load_kaggle_insults,
    "jigsaw_wiki_balanced": _load_jigsaw_wiki_balanced,
    "wiki_talk_context": _load_wiki_talk_context,
    "davidson": _load_davidson,
    "tweeteval_hate": _load_tweeteval_hate,
    "olid": _load_olid,
    "ruddit": _load_ruddit,
}
assert list(_LOADERS) == list(SOURCES)


# --------------------------------------------------------------------------- public loaders


def _check_sources(sources: Sequence[str] | None) -> list[str]:
    if sources is None:
        return list(SOURCES)
    if isinstance(sources, str):
        sources = [sources]
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise InputError(f"unknown corpus source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    wanted = set(sources)
    return [name for name in SOURCES if name in wanted]  # always SOURCES order


def load_source(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Mapped rows of one source: columns ``source``, ``text``, *LABELS (float64, NaN = unknown).

    Rows keep the file order. Rows without text, Ruddit "[deleted]"/"[removed]" bodies and
    rows with no known label are dropped; blank texts and duplicates are handled by
    :func:`load_corpora`.
    """
    (name,) = _check_sources([name])
    frame = _LOADERS[name](_resolve_dir(data_dir))
    frame = frame[frame["text"].notna() & frame[list(LABELS)].notna().any(axis=1)]
    frame = frame.reset_index(drop=True)
    frame.insert(0, "source", name)
    frame["source"] = frame["source"].astype("str")
    frame["text"] = frame["text"].astype("str")
    return frame


def _dedup(frame: pd.DataFrame) -> pd.DataFrame:
    """Merge rows with the same key: first text, mean of the known label values."""
    if not frame["key"].duplicated().any():
        return frame
    grouped = frame.groupby("key", sort=False)
    firsts = grouped[["source", "text"]].first()
    means = grouped[list(LABELS)].mean()  # skips NaN; all-NaN stays NaN
    merged = firsts.join(means).reset_index()
    return merged


_CACHE: dict[tuple, pd.DataFrame] = {}


def _fingerprint(data_dir: Path, names: Sequence[str]) -> tuple:
    stamp = []
    for name in names:
        for rel in SOURCES[name].files:
            path = data_dir / rel
            try:
                st = path.stat()
                stamp.append((rel, st.st_size, st.st_mtime_ns))
            except OSError:
                stamp.append((rel, None, None))
    return (str(data_dir.resolve()), tuple(names), tuple(stamp))


def load_corpora(data_dir: Path | None = None, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """All (or the named) sources as one frame with :data:`CORPUS_COLUMNS`.

    Blank texts and texts with an empty :func:`normalise_key` are dropped; rows of one
    source with the same key are merged (first text, mean of known labels); rows of
    different sources stay separate but share a split, because the split depends only on
    the key. Order: sources in :data:`SOURCES` order, then first occurrence in the file.
    Results are cached per process (keyed on the files' size and mtime); a copy is returned.
    """
    directory = _resolve_dir(data_dir)
    names = _check_sources(sources)
    fingerprint = _fingerprint(directory, names)
    cached = _CACHE.get(fingerprint)
    if cached is not None:
        return cached.copy()

    parts = []
    for name in names:
        frame = load_source(name, directory)
        frame = frame[frame["text"].str.strip().str.len() > 0]
        frame = frame.assign(key=[normalise_key(t) for t in frame["text"]])
        frame = frame[frame["key"].str.len() > 0]
        parts.append(_dedup(frame))
    if parts:
        corpus = pd.concat(parts, ignore_index=True)
    else:
        corpus = pd.DataFrame({c: pd.Series(dtype="float64") for c in ("source", "text", "key", *LABELS)})
    split_cache: dict[str, str] = {}
    splits = []
    for key in corpus["key"]:
        split = split_cache.get(key)
        if split is None:
            split = split_cache[key] = _split_of_key(key)
        splits.append(split)
    corpus["split"] = pd.Series(splits, index=corpus.index, dtype="str")
    for col in ("source", "text", "key"):
        corpus[col] = corpus[col].astype("str")
    for label in LABELS:
        corpus[label] = corpus[label].astype("float64")
    corpus = corpus[list(CORPUS_COLUMNS)].reset_index(drop=True)
    assert set(corpus["split"].unique()) <= set(SPLITS)
    _CACHE.clear()  # keep at most one corpus in memory
    _CACHE[fingerprint] = corpus
    return corpus.copy()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_data(data_dir: Path | None = None, sources: Sequence[str] | None = None) -> list[dict]:
    """Per-source provenance for model metadata.

    One dict per source (in :data:`SOURCES` order): ``source``, ``licence``,
    ``non_commercial``, ``domain``, ``files`` (``path`` relative to data/comments, ``sha256``,
    ``bytes``) and ``rows`` (rows after cleaning and dedup, as in :func:`load_corpora`).
    """
    directory = _resolve_dir(data_dir)
    names = _check_sources(sources)
    counts = load_corpora(directory, names)["source"].value_counts()
    out = []
    for name in names:
        info = SOURCES[name]
        files = []
        for rel in info.files:
            path = _path(directory, rel)
            files.append({"path": rel, "sha256": _sha256(path), "bytes": path.stat().st_size})
        out.append(
            {
                "source": name,
                "licence": info.licence,
                "non_commercial": info.non_commercial,
                "domain": info.domain,
                "files": files,
                "rows": int(counts.get(name, 0)),
            }
        )
    return out
