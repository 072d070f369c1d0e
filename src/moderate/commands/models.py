"""``moderate models list|show|promote|rollback``: what is there, what is current, and changing it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from moderate.errors import ModelError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list, show, promote or roll back model folders",
        description="Model folders and models/registry.jsonl: list them, show one, make one current "
        "(promote), or go back to the model that was current before (rollback). Every change "
        "of CURRENT is logged with who, when and why. --models-dir models/offtopic or "
        "models/splitter manages the other model families the same way.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--models-dir", type=Path, default=Path("models"),
                        help="default: models (models/offtopic, models/splitter for the other families)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    sub.add_parser("list", parents=[common], help="id, created, parent, data, key metric, current "
                   "(and the same for the off-topic and splitter families in the folder's subfolders)")
    show = sub.add_parser("show", parents=[common], help="a model's model card (or its metadata)")
    show.add_argument("model_id", nargs="?", help="default: the current model")
    show.add_argument("--json", action="store_true", help="print the whole metadata.json")
    promote = sub.add_parser("promote", parents=[common], help="make a model folder current")
    promote.add_argument("model_id")
    rollback = sub.add_parser("rollback", parents=[common], help="make the previously current model current again")
    rollback.add_argument("--to", metavar="ID", help="roll back to this model instead")
    for p in (promote, rollback):
        p.add_argument("--by", metavar="NAME", help="who (default: $MODERATE_USER or the login name)")
        p.add_argument("--reason", default="", metavar="TEXT", help="why (logged)")
    history = sub.add_parser("history", parents=[common], help="the registry log, oldest first")
    history.add_argument("-n", type=int, default=20, help="last N events (default 20)")
    parser.set_defaults(run=run)


#: Model families kept in subfolders of the models folder: (subfolder, what it holds).
FAMILIES = (("offtopic", "off-topic"), ("splitter", "page splitter"))


def _print_list(models_dir: Path, rows: list[dict[str, Any]]) -> None:
    """``rows`` (:func:`moderate.history.list_models` of ``models_dir``) as a table, and a warning
    on stderr when ``CURRENT`` is not what the registry says."""
    from moderate import history

    if not rows:
        print(f"no model folders in {models_dir}")
        return
    print(f"{'':2}{'model id':<36}{'created':<27}{'parent':<36}{'metric':>8}  {'data'}")
    for r in rows:
        mark = "* " if r["current"] else "  "
        value = "n/a" if r["value"] is None else f"{r['value']:.3f}"
        status = "" if r["current"] or not r["status"] else f"  [{r['status']}]"
        print(f"{mark}{r['model_id']:<36}{r['created']!s:<27}{r['parent'] or '-'!s:<36}{value:>8}  {r['data']}{status}")
    metric = next((r["metric"] for r in rows if r["metric"]), "")
    print(f"(* current; metric: {metric or 'none recorded'})")
    warning = history.current_mismatch(models_dir)
    if warning:
        print(f"{models_dir}: {warning}" if models_dir.name in dict(FAMILIES) else warning, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from moderate import history, registry

    models_dir = args.models_dir
    if args.action == "list":
        # the folder itself (incivility models by default), then the model families kept in its
        # subfolders (models/offtopic, models/splitter), each listed the same way
        _print_list(models_dir, history.list_models(models_dir))
        for sub, title in FAMILIES:
            rows = history.list_models(models_dir / sub) if (models_dir / sub).is_dir() else []
            if rows:
                print(f"\n{models_dir / sub} ({title})")
                _print_list(models_dir / sub, rows)
        return 0
    if args.action == "show":
        model_id = args.model_id or registry.current_model_id(models_dir)
        folder = models_dir / model_id
        if not (folder / registry.METADATA_NAME).is_file():
            raise ModelError(f"no model folder {folder}")
        meta = registry.read_metadata(folder)
        if args.json:
            print(json.dumps(meta, indent=2))
            return 0
        card = folder / registry.CARD_NAME
        print(card.read_text(encoding="utf-8") if card.is_file() else json.dumps(meta, indent=2))
        return 0
    if args.action == "promote":
        event = history.promote(models_dir, args.model_id, by=args.by, reason=args.reason or "manual promotion")
        print(f"{models_dir}/CURRENT -> {event['model_id']} (was {event['previous']}); logged in {models_dir}/{history.REGISTRY_NAME}")
        return 0
    if args.action == "rollback":
        event = history.rollback(models_dir, to=args.to, by=args.by, reason=args.reason or "manual rollback")
        print(f"rolled back: {models_dir}/CURRENT -> {event['model_id']} (was {event['previous']}); "
              f"logged in {models_dir}/{history.REGISTRY_NAME}")
        return 0
    if args.action == "history":
        for event in history.read_events(models_dir)[-args.n:]:
            extra = f" (previous {event['previous']})" if event.get("previous") else ""
            forced = " FORCED" if event.get("forced") else ""
            print(f"{event.get('at')}  {event.get('event'):<9}{event.get('model_id')}{extra}{forced}  by {event.get('by')}: {event.get('reason', '')}")
        return 0
    return 2  # pragma: no cover
