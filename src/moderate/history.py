"""Which model is current, how it got there, and the way back: ``models/registry.jsonl``.

Every change of ``CURRENT`` and every trained candidate is one JSON line in
``<models_dir>/registry.jsonl``::

    {"at": "2026-11-22T12:00:00+00:00", "event": "promote", "model_id": "...", "previous": "...",
     "by": "alice", "reason": "...", "forced": false}

Events: ``trained`` (a candidate folder was written; ``promoted`` says whether it became
current), ``promote`` and ``rollback``. ``CURRENT`` itself is the source of truth for what is
current; it is replaced by an atomic rename, so a reader sees the old model or the new one,
never half of either. Promotion, rollback and the log line happen under a lock file
(``<models_dir>/.lock``) so two moderators promoting at once cannot interleave.

**Rollback** goes back along promotions: the model that was current before the current model's
latest promotion. Rolling back twice goes back two promotions. ``--to ID`` rolls back to a named
folder instead.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moderate.errors import ModelError
from moderate.registry import (
    CURRENT_NAME,
    METADATA_NAME,
    current_model_id,
    read_metadata,
    set_current,
)

REGISTRY_NAME = "registry.jsonl"
LOCK_NAME = ".lock"
#: Environment variable naming who acts (else the login name).
USER_ENV = "MODERATE_USER"


def who(by: str | None = None) -> str:
    if by:
        return by
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def locked(models_dir: Path) -> Iterator[None]:
    """Hold ``models_dir/.lock`` exclusively (POSIX; elsewhere a no-op)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(models_dir / LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def log_event(models_dir: Path, event: dict[str, Any]) -> dict[str, Any]:
    """Append one event (``at`` and ``by`` filled in when missing) and return it."""
    record = {"at": _now(), **event}
    record["by"] = who(record.get("by"))
    line = json.dumps(record, sort_keys=False, default=str) + "\n"
    with open(Path(models_dir) / REGISTRY_NAME, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return record


def read_events(models_dir: Path) -> list[dict[str, Any]]:
    """All events, oldest first (a torn last line from a crash is ignored)."""
    path = Path(models_dir) / REGISTRY_NAME
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return events


def _current_or_none(models_dir: Path) -> str | None:
    return current_model_id(models_dir) if (models_dir / CURRENT_NAME).is_file() else None


_ANY = object()


def promote(models_dir: Path, model_id: str, by: str | None = None, reason: str = "",
            forced: bool = False, expected_previous: Any = _ANY) -> dict[str, Any] | None:
    """Make ``model_id`` current and log it. Returns the event, or None (nothing changed) when
    ``expected_previous`` is given and is not the current model any more (a candidate is only
    promoted over the model it was compared with)."""
    models_dir = Path(models_dir)
    if not (models_dir / model_id / METADATA_NAME).is_file():
        raise ModelError(f"no model folder {models_dir / model_id}")
    with locked(models_dir):
        previous = _current_or_none(models_dir)
        if expected_previous is not _ANY and previous != expected_previous:
            return None
        set_current(models_dir, model_id)
        return log_event(models_dir, {"event": "promote", "model_id": model_id, "previous": previous, "by": by,
                                      "reason": reason, "forced": forced})


def registry_current(models_dir: Path) -> str | None:
    """The model the registry's latest ``promote`` or ``rollback`` made current (None: no such event)."""
    for event in reversed(read_events(models_dir)):
        if event.get("event") in ("promote", "rollback"):
            return event.get("model_id")
    return None


def current_mismatch(models_dir: Path) -> str | None:
    """A one-line warning when ``CURRENT`` is not the model the registry's latest promotion or
    rollback made current (edited by hand, or a crash between the rename and the log line)."""
    models_dir = Path(models_dir)
    expected = registry_current(models_dir)
    current = _current_or_none(models_dir)
    if expected is None or current == expected:
        return None
    return (f"warning: {models_dir / CURRENT_NAME} names {current or 'no model'}, but the latest promotion/rollback "
            f"in {models_dir / REGISTRY_NAME} made {expected} current (CURRENT edited by hand, or a crash before "
            "the registry line?)")


def rollback_target(models_dir: Path) -> str:
    """The model that was current before the current one's latest promotion."""
    models_dir = Path(models_dir)
    current = _current_or_none(models_dir)
    for event in reversed(read_events(models_dir)):
        if event.get("event") == "promote" and event.get("model_id") == current:
            previous = event.get("previous")
            if previous == current:  # promoted while already current: look further back
                continue
            if not previous:
                break
            return str(previous)
    raise ModelError(
        f"nothing to roll back to: {models_dir / REGISTRY_NAME} records no promotion of {current} "
        "with a previous model (use: moderate models promote ID)"
    )


def rollback(models_dir: Path, to: str | None = None, by: str | None = None, reason: str = "") -> dict[str, Any]:
    """Make the previous model (or ``to``) current again and log it. Returns the event."""
    models_dir = Path(models_dir)
    with locked(models_dir):
        current = _current_or_none(models_dir)
        target = to or rollback_target(models_dir)
        if not (models_dir / target / METADATA_NAME).is_file():
            raise ModelError(f"cannot roll back to {target}: no model folder {models_dir / target}")
        set_current(models_dir, target)
        return log_event(models_dir, {"event": "rollback", "model_id": target, "previous": current,
                                      "by": by, "reason": reason})


def model_folders(models_dir: Path) -> list[Path]:
    """Model folders directly under ``models_dir`` (those with a metadata file), oldest first."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        raise ModelError(f"no models directory {models_dir}")
    folders = [p for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / METADATA_NAME).is_file()]
    return sorted(folders, key=lambda p: (str(read_metadata(p).get("created", "")), p.name))


def _key_metric(meta: dict[str, Any], folder: Path | None = None) -> tuple[str, float | None]:
    """A one-number summary of a model folder's own test figures, by kind."""
    if meta.get("kind") == "page-splitter" and folder is not None:  # figures live in evaluation.json
        try:
            sections = json.loads((folder / "evaluation.json").read_text(encoding="utf-8")).get("sections", {})
            return "held-out real pages comment F1", float(sections["dragnet_heldout"]["comment_f1"])
        except (OSError, ValueError, KeyError, TypeError):
            return "", None
    test = meta.get("metrics", {}).get("test")
    if isinstance(test, dict) and test and all(isinstance(v, dict) for v in test.values()):
        aucs = [v.get("roc_auc") for v in test.values() if v.get("roc_auc") is not None]
        if aucs:
            return "mean test ROC AUC", float(sum(aucs) / len(aucs))
    human = meta.get("test_metrics", {}).get("human_roc_auc")  # off-topic models
    if isinstance(human, (int, float)):
        return "human-label test ROC AUC", float(human)
    return "", None


def list_models(models_dir: Path) -> list[dict[str, Any]]:
    """One summary per model folder, oldest first: id, created, parent, data, metric, current, status."""
    models_dir = Path(models_dir)
    current = _current_or_none(models_dir)
    events = read_events(models_dir)
    trained = {e["model_id"]: e for e in events if e.get("event") == "trained"}
    out = []
    for folder in model_folders(models_dir):
        meta = read_metadata(folder)
        lineage = meta.get("lineage", {})
        site = lineage.get("site_rows", {})
        metric_name, metric = _key_metric(meta, folder)
        sources = len(meta.get("data", []) or [])
        data = f"{sources} corpora" if sources else ""
        if site:
            data += f" + {site.get('texts', 0):,} site texts ({len(lineage.get('label_files', []))} files)"
        status = "current" if folder.name == current else ""
        if not status and folder.name in trained and not trained[folder.name].get("promoted"):
            status = "kept (not promoted)"
        out.append({
            "model_id": folder.name, "created": meta.get("created"),
            "parent": lineage.get("parent") or (meta.get("segmenter") or {}).get("refitted_from"),
            "data": data, "metric": metric_name, "value": metric, "current": folder.name == current, "status": status,
        })
    return out
