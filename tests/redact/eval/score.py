#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scores `agentbox redact --findings` on the generated corpus. The input is written into
the redactor's stdin pipe in random chunks of 1-48 bytes. Labels come from the generator
(formats.py), never from the rules. Reports, per rule and class: full-cover recall (every
byte of the labelled secret redacted), precision (findings that overlap a labelled secret),
and the share of negative snippets with any finding. --check fails below the goals."""

import argparse
import bisect
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402


def run_redactor(agentbox, data, seed, state_dir):
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as tmp:
        findings_path = tmp.name
    env = dict(os.environ, AGENTBOX_STATE_DIR=state_dir)
    proc = subprocess.Popen([agentbox, "redact", "--findings", findings_path],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    out = bytearray()

    def reader():
        while True:
            b = proc.stdout.read1(1 << 16)
            if not b:
                break
            out.extend(b)

    t = threading.Thread(target=reader)
    t.start()
    rng = random.Random(seed)
    fd = proc.stdin.fileno()
    i = 0
    while i < len(data):
        n = rng.randint(1, 48)
        os.write(fd, data[i:i + n])
        i += n
    proc.stdin.close()
    t.join()
    err = proc.stderr.read().decode(errors="replace")
    rc = proc.wait()
    if rc != 0:
        sys.exit("score: agentbox redact exited %d: %s" % (rc, err.strip()))
    with open(findings_path) as f:
        findings = [json.loads(line) for line in f if line.strip()]
    os.unlink(findings_path)
    return findings, bytes(out)


def covered(spans, start, end):
    """True if the union of sorted-by-start spans covers [start, end)."""
    pos = start
    for s, e in spans:
        if s > pos:
            break
        pos = max(pos, e)
        if pos >= end:
            return True
    return pos >= end


def score(args):
    pos, labels, _, neg, neg_ends = corpus.build(args.seed, args.positives, args.negatives)
    state = tempfile.mkdtemp(prefix="agentbox-eval-")
    pos_f, _ = run_redactor(args.agentbox, pos, args.seed, state)
    neg_f, _ = run_redactor(args.agentbox, neg, args.seed + 1, state)
    spans = sorted((f["start"], f["end"]) for f in pos_f)
    starts = [s for s, _ in spans]

    per_rule = collections.defaultdict(lambda: {"labels": 0, "covered": 0, "findings": 0, "tp": 0, "neg_findings": 0})
    per_class = collections.defaultdict(lambda: {"labels": 0, "covered": 0, "findings": 0, "tp": 0})
    missed = []
    for s, e, rule, cls in labels:
        lo = bisect.bisect_right(starts, s) - 1
        cand = spans[max(0, lo - 8):]
        ok = covered([sp for sp in cand if sp[1] > s][:64], s, e)
        per_rule[rule]["labels"] += 1
        per_class[cls]["labels"] += 1
        if ok:
            per_rule[rule]["covered"] += 1
            per_class[cls]["covered"] += 1
        elif len(missed) < args.show:
            missed.append((rule, pos[max(0, s - 40):e + 20]))
    label_starts = [s for s, _, _, _ in labels]
    false_pos = []
    for f in pos_f:
        i = bisect.bisect_right(label_starts, f["end"] - 1) - 1
        hit = i >= 0 and labels[i][0] < f["end"] and f["start"] < labels[i][1]
        per_rule[f["rule"]]["findings"] += 1
        per_class[f["class"]]["findings"] += 1
        if hit:
            per_rule[f["rule"]]["tp"] += 1
            per_class[f["class"]]["tp"] += 1
        elif len(false_pos) < args.show:
            false_pos.append((f["rule"], pos[max(0, f["start"] - 40):f["end"] + 20]))
    flagged = set()
    neg_examples = []
    for f in neg_f:
        k = bisect.bisect_right(neg_ends, f["start"])
        flagged.add(k)
        per_rule[f["rule"]]["neg_findings"] += 1
        if len(neg_examples) < args.show:
            neg_examples.append((f["rule"], neg[max(0, f["start"] - 40):f["end"] + 20]))

    n_labels = len(labels)
    n_cov = sum(v["covered"] for v in per_class.values())
    n_find = len(pos_f)
    n_tp = sum(v["tp"] for v in per_class.values())
    result = {
        "seed": args.seed, "positives": args.positives, "negatives": args.negatives,
        "recall": n_cov / n_labels if n_labels else 1.0,
        "precision": n_tp / n_find if n_find else 1.0,
        "negatives_flagged": len(flagged) / args.negatives if args.negatives else 0.0,
        "per_class": {c: dict(v, recall=v["covered"] / v["labels"] if v["labels"] else None,
                              precision=v["tp"] / v["findings"] if v["findings"] else None)
                      for c, v in sorted(per_class.items())},
        "per_rule": {r: dict(v, recall=v["covered"] / v["labels"] if v["labels"] else None,
                             precision=v["tp"] / v["findings"] if v["findings"] else None)
                     for r, v in sorted(per_rule.items())},
    }
    return result, missed, false_pos, neg_examples


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--agentbox", required=True)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--positives", type=int, default=3600)
    ap.add_argument("--negatives", type=int, default=3600)
    ap.add_argument("--json", help="write the full report here")
    ap.add_argument("--show", type=int, default=10, help="examples of misses to print")
    ap.add_argument("--check", action="store_true", help="exit 1 below the goals")
    args = ap.parse_args()
    result, missed, false_pos, neg_examples = score(args)
    print("corpus seed %d: %d positive snippets, %d negative snippets" % (args.seed, args.positives, args.negatives))
    print("full-cover recall %.4f  precision %.4f  negatives flagged %.4f" % (result["recall"], result["precision"], result["negatives_flagged"]))
    for c, v in result["per_class"].items():
        print("  class %-10s labels %5d recall %s  findings %5d precision %s" % (
            c, v["labels"], "%.4f" % v["recall"] if v["recall"] is not None else "-", v["findings"],
            "%.4f" % v["precision"] if v["precision"] is not None else "-"))
    weak = [(r, v) for r, v in result["per_rule"].items()
            if (v["recall"] is not None and v["recall"] < 0.99) or (v["precision"] is not None and v["precision"] < 0.99) or v["neg_findings"]]
    for r, v in weak:
        print("  rule %-28s labels %4d covered %4d findings %4d tp %4d on-negatives %d" % (r, v["labels"], v["covered"], v["findings"], v["tp"], v["neg_findings"]))
    for what, items in (("missed", missed), ("false positive", false_pos), ("on a negative", neg_examples)):
        for rule, ctx in items:
            print("  %s [%s]: %r" % (what, rule, ctx))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if args.check:
        bad = []
        if result["recall"] < 0.99:
            bad.append("recall %.4f < 0.99" % result["recall"])
        if result["precision"] < 0.99:
            bad.append("precision %.4f < 0.99" % result["precision"])
        if result["negatives_flagged"] > 0.005:
            bad.append("negatives flagged %.4f > 0.005" % result["negatives_flagged"])
        if bad:
            print("score: below the goals: " + "; ".join(bad))
            return 1
        print("score: goals met (recall >= 0.99, precision >= 0.99, negatives flagged <= 0.005)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
