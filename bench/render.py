"""Benchmark of bracket pictures: cold SVG drawing and PNG rasterising, beside the JSON bracket.

    python bench/render.py                      # sizes 4 8 16 64 256, both elimination formats
    python bench/render.py --sizes 256 --repeat 5

Stages come from the pure engine (generated, then half of the matches played, so scores and
winners are drawn) and are turned into the bracket document's shape. For each case the line
prints the best of `repeat` cold runs of `picture.draw` (SVG), of rasterising that SVG to PNG
(resvg), and, as the baseline, of `json.dumps` of the same document (what `GET .../bracket/`
serialises), with the SVG's and PNG's sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deltacrown.brackets import picture  # noqa: E402
from deltacrown.brackets.engine import MatchStatus, apply_result, generate  # noqa: E402


def document(fmt: str, n: int) -> dict[str, Any]:
    """An engine stage of n players, half played, in the bracket document's shape."""
    stage = generate(fmt, list(range(1, n + 1)))
    ready = [m for m in stage.matches.values() if m.status is MatchStatus.READY]
    for match in ready[: max(1, len(ready) // 2)]:
        first = match.slots[0].participant
        apply_result(stage, match.id, winner=first, scores=[(13, 7)])  # updates the stage
    ids = {code: index for index, code in enumerate(stage.matches, start=1)}
    seed_of = {p: i for i, p in enumerate(stage.seeds, start=1)}
    rounds = []
    for rnd in stage.rounds:
        matches = []
        for code in rnd.match_ids:
            m = stage.matches[code]
            people = []
            for slot in (0, 1):
                p = m.slots[slot].participant
                score = m.scores[0][slot] if m.scores else None
                result = None
                if m.status is MatchStatus.COMPLETED:
                    result = "win" if m.winner == p else "loss"
                people.append({"name": f"Player number {p}" if p else None,
                               "seed": seed_of.get(p), "score": score, "result": result})  # fmt: skip
            matches.append({
                "id": ids[code], "number": len(matches) + 1, "status": m.status.value,
                "next_match_winner_id": ids[m.winner_to.match] if m.winner_to else None,
                "participants": people,
            })  # fmt: skip
        rounds.append({"number": rnd.number, "name": rnd.name, "side": rnd.side.value,
                       "matches": matches})  # fmt: skip
    return {"id": 1, "number": 1, "type": fmt, "status": "in_progress", "rounds": rounds}


def best(func: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 64, 256])
    parser.add_argument("--formats", nargs="+",
                        default=["single_elimination", "double_elimination"])  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from deltacrown.brackets.images import rasterise

    for fmt in args.formats:
        for n in args.sizes:
            stage = document(fmt, n)
            json_s, _ = best(lambda s=stage: json.dumps({"stages": [s]}), args.repeat)
            svg_s, svg = best(lambda s=stage: picture.draw("Benchmark Cup", s), args.repeat)
            png_s, png = best(lambda s=svg: rasterise(s), max(1, args.repeat // 2))
            print(json.dumps({
                "format": fmt, "n": n,
                "svg_ms": round(svg_s * 1000, 2), "png_ms": round(png_s * 1000, 1),
                "baseline_json_ms": round(json_s * 1000, 3),
                "svg_kib": round(len(svg.encode()) / 1024, 1), "png_kib": round(len(png) / 1024, 1),
            }))  # fmt: skip


if __name__ == "__main__":
    main()
