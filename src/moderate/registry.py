"""Model folders: save, find, load and check them.

A model folder ``models/<model_id>/`` holds

* ``model.skops``  - the fitted estimator, saved with skops (never pickle);
* ``metadata.json`` - format version, library versions, labels, thresholds, data, metrics;
* ``MODEL_CARD.md`` - the human-readable card;
* ``evaluation.md`` / ``evaluation.json`` - the test-split report (written by ``moderate evaluate``).

``models/CURRENT`` names the folder ``moderate score`` uses when no ``--model`` is given.
Loading never executes code from the file: skops refuses any type that is not on this
module's allow-list, and the refusal is reported as a :class:`~moderate.errors.ModelError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moderate.errors import ModelError
from moderate.packing import pack_for_saving, restore, unpack_loaded

#: Bumped whenever the folder layout or metadata keys change incompatibly.
FORMAT_VERSION = 1
ARTIFACT_NAME = "model.skops"
METADATA_NAME = "metadata.json"
CARD_NAME = "MODEL_CARD.md"
CURRENT_NAME = "CURRENT"
#: Environment variable naming a model folder (or a models/ directory) to use by default.
MODEL_ENV = "MODERATE_MODEL"

#: Type-name prefixes that may appear in a model file. Everything else is refused.
TRUSTED_PREFIXES: tuple[str, ...] = (
    "moderate.",
    "sklearn.",
    "numpy.",
    "scipy.sparse.",
    "builtins.",
    "collections.",
)


@dataclass
class LoadedModel:
    """A fitted model plus what is needed to use it.

    ``estimator.predict_proba(texts)`` takes a sequence of strings and returns a float
    array of shape ``(len(texts), len(labels))`` with calibrated probabilities.
    """

    model_id: str
    estimator: Any
    labels: tuple[str, ...]
    thresholds: dict[str, dict[str, float]]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)), dtype=float)
        return np.asarray(self.estimator.predict_proba(list(texts)), dtype=float)


# --------------------------------------------------------------------------- finding


def repo_models_dir(start: Path | None = None, subdir: str = "") -> Path | None:
    """The nearest ``models/<subdir>`` directory with a ``CURRENT`` file, walking up from ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "models" / subdir if subdir else folder / "models"
        if (candidate / CURRENT_NAME).is_file():
            return candidate
    return None


def current_model_id(models_dir: Path) -> str:
    try:
        return (models_dir / CURRENT_NAME).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ModelError(f"cannot read {models_dir / CURRENT_NAME}: {exc.strerror}") from None


def resolve_model_dir(
    path: str | os.PathLike[str] | None = None, env: str = MODEL_ENV, subdir: str = "",
    option: str = "--model",
) -> Path:
    """Turn ``--model`` (a model folder, a models/ directory, or None) into a model folder.

    With no path: ``$MODERATE_MODEL``, else ``models/CURRENT`` found from the working
    directory upwards, else the one above the package source tree (an editable install).
    ``env``, ``subdir`` and ``option`` name another family of models the same way (the page
    splitter: ``$MODERATE_SPLITTER``, ``models/splitter/CURRENT``, ``--splitter``).
    """
    if path is None and os.environ.get(env):
        path = os.environ[env]
    if path is not None:
        folder = Path(path)
        if (folder / CURRENT_NAME).is_file():  # a models/ directory
            folder = folder / current_model_id(folder)
        if not folder.exists():
            raise ModelError(f"model not found: {folder}")
        if not (folder / METADATA_NAME).is_file() or not (folder / ARTIFACT_NAME).is_file():
            raise ModelError(
                f"not a model folder: {folder} (needs {ARTIFACT_NAME} and {METADATA_NAME})"
            )
        return folder
    for models_dir in (repo_models_dir(subdir=subdir), repo_models_dir(Path(__file__).parent, subdir)):
        if models_dir is not None:
            return resolve_model_dir(models_dir / current_model_id(models_dir), env, subdir, option)
    where = f"models/{subdir}/CURRENT" if subdir else "models/CURRENT"
    raise ModelError(f"no default model found ({where}): pass {option} PATH or set ${env}")


# --------------------------------------------------------------------------- loading


def _is_trusted(type_name: str) -> bool:
    return type_name.startswith(TRUSTED_PREFIXES)


def read_metadata(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / METADATA_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"unreadable {folder / METADATA_NAME}: {exc}") from None


def version_problems(metadata: dict[str, Any]) -> list[str]:
    """Differences between the libraries that saved the model and the running ones."""
    import sklearn

    saved = metadata.get("versions", {})
    problems = []
    if metadata.get("format_version") != FORMAT_VERSION:
        problems.append(
            f"model format {metadata.get('format_version')!r}, this moderate reads {FORMAT_VERSION}"
        )
    saved_sklearn = saved.get("scikit-learn")
    if saved_sklearn and saved_sklearn.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        problems.append(
            f"saved with scikit-learn {saved_sklearn}, running {sklearn.__version__}"
        )
    return problems


def load_model(path: str | os.PathLike[str] | None = None) -> LoadedModel:
    """Load a model folder (see :func:`resolve_model_dir` for how ``path`` is resolved)."""
    folder = resolve_model_dir(path)
    estimator, metadata = load_artifact(folder)
    return LoadedModel(
        model_id=str(metadata["model_id"]),
        estimator=estimator,
        labels=tuple(metadata["labels"]),
        thresholds=metadata["thresholds"],
        metadata=metadata,
        path=folder,
    )


def load_artifact(folder: Path) -> tuple[Any, dict[str, Any]]:
    """The estimator and metadata of a model folder, refusing types outside the allow-list."""
    import skops.io as sio

    metadata = read_metadata(folder)
    problems = version_problems(metadata)
    if any(p.startswith("model format") for p in problems):
        raise ModelError(f"{folder}: {'; '.join(problems)}")
    artifact = folder / ARTIFACT_NAME
    try:
        untrusted = sio.get_untrusted_types(file=artifact)
    except Exception as exc:  # skops raises a variety of errors on corrupt files
        raise ModelError(f"unreadable model file {artifact}: {exc}") from None
    refused = sorted(t for t in untrusted if not _is_trusted(t))
    if refused:
        raise ModelError(
            f"refusing to load {artifact}: it contains types outside the allow-list: "
            + ", ".join(refused[:5])
            + (" ..." if len(refused) > 5 else "")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's version warning; reported below instead
            estimator = sio.load(artifact, trusted=untrusted)
        unpack_loaded(estimator)
    except Exception as exc:
        hint = f" ({'; '.join(problems)})" if problems else ""
        raise ModelError(f"cannot load {artifact}: {exc}{hint}") from None
    if problems:
        warnings.warn(
            f"model {metadata.get('model_id')}: {'; '.join(problems)}; results may differ "
            "from the ones in its metadata. Install the pinned versions or retrain.",
            ModelVersionWarning,
            stacklevel=3,
        )
    return estimator, metadata


class ModelVersionWarning(UserWarning):
    """The running libraries differ from the ones that saved the model."""


# --------------------------------------------------------------------------- saving


def runtime_versions() -> dict[str, str]:
    import joblib
    import pandas
    import scipy
    import sklearn
    import skops

    from moderate import __version__

    return {
        "moderate": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "joblib": joblib.__version__,
        "skops": skops.__version__,
    }


def save_model_folder(
    folder: Path, estimator: Any, metadata: dict[str, Any], card: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a model folder atomically: build it beside ``folder``, then rename into place.

    ``extra_files`` (name -> bytes) are written into the folder too (e.g. the site labels a
    retrained model was trained with)."""
    import skops.io as sio

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        packed = pack_for_saving(estimator)  # trees and vocabularies as a few arrays (moderate.packing)
        try:
            sio.dump(estimator, staging / ARTIFACT_NAME, compression=8)
        finally:
            restore(packed)
        full = {"format_version": FORMAT_VERSION, "versions": runtime_versions(), **metadata}
        write_json(staging / METADATA_NAME, full)
        if card is not None:
            (staging / CARD_NAME).write_text(card, encoding="utf-8")
        for name, content in (extra_files or {}).items():
            (staging / name).write_bytes(content)
        # mkdtemp/mkstemp create private (0700/0600) entries; a model folder is shared data
        os.chmod(staging, 0o777 & ~_umask())
        if folder.exists():  # same id again: move the old folder aside, then swap (two renames)
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def source_digest(paths: Sequence[str | os.PathLike[str]]) -> str:
    """SHA-256 of the given source and data files, in order (CRLF read as LF, so a checkout with
    other line ends gives the same digest): part of a model id, so a changed method is a new id."""
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()


def set_current(models_dir: Path, model_id: str) -> None:
    """Point ``models/CURRENT`` at ``model_id`` (atomic rename)."""
    if not (models_dir / model_id / METADATA_NAME).is_file():
        raise ModelError(f"no model folder {models_dir / model_id}")
    write_text_atomic(models_dir / CURRENT_NAME, model_id + "\n")


def write_json(path: Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
