"""Convert TimeML files (TimeBank 1.2, TempEval-3 TBAQ/platinum) to wirewatch's time gold JSONL.

    python scripts/convert_timeml_time.py DIR_OR_FILES... -o OUT.jsonl [--corpus NAME]

Then score with ``wirewatch eval OUT.jsonl --task time``. The TempEval-3 platinum annotations are CC BY
3.0 (te3-platinum/README), but the article texts they annotate (AP, BBC, CNN, NYT, WSJ, 2013) carry
no license, so the converted file is not committed: fetch the .tml files and run this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wirewatch.evaluate.temporal import convert_timeml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, help=".tml files or folders of them")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output JSONL")
    parser.add_argument("--corpus", default=None, help="corpus name stored on each line")
    args = parser.parse_args()
    files: list[Path] = []
    for item in args.inputs:
        files.extend(sorted(item.glob("*.tml")) if item.is_dir() else [item])
    n = convert_timeml(files, args.out, args.corpus)
    print(f"wrote {n} documents to {args.out}")


if __name__ == "__main__":
    main()
