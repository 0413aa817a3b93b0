#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""False positives on real text nobody planted secrets in: concatenates the text files under
each root (files with a NUL byte in their first 8 KiB are skipped), runs them through
`agentbox redact --findings`, and reports findings per MB per rule. --sample FILE writes
every finding with its file and surrounding bytes (the matched bytes shown) for inspection by
hand. Not a ctest: it reads the host's trees and takes minutes.

  python3 tests/redact/eval/real_text.py --agentbox build/src/agentbox \\
      include=/usr/include doc=/usr/share/doc lock=.tools/npm/package-lock.json \\
      node_modules=.tools/npm/node_modules python=/usr/lib/python3/dist-packages \\
      perl=/usr/share/perl --sample /tmp/real-text-findings.txt
"""

import argparse
import bisect
import collections
import json
import os
import subprocess
import sys
import tempfile


def text_files(root):
    if os.path.isfile(root):
        yield root
        return
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agentbox", required=True)
    ap.add_argument("--sample", help="write every finding with context here")
    ap.add_argument("--limit", type=float, default=0.1, help="findings per MB per rule that fail")
    ap.add_argument("roots", nargs="+", help="NAME=PATH")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="agentbox-realtext-")
    sample = open(args.sample, "w") if args.sample else None
    total = collections.Counter()
    total_mb = 0.0
    worst = []
    for spec in args.roots:
        name, root = spec.split("=", 1)
        blob = os.path.join(tmp, name + ".txt")
        starts, paths = [], []
        with open(blob, "wb") as out:
            for p in text_files(root):
                try:
                    with open(p, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if b"\0" in data[:8192]:
                    continue
                starts.append(out.tell())
                paths.append(p)
                out.write(data + b"\n")
        size = os.path.getsize(blob)
        findings_path = os.path.join(tmp, name + ".findings")
        env = dict(os.environ, AGENTBOX_STATE_DIR=tmp)
        with open(blob, "rb") as inp:
            subprocess.run([args.agentbox, "redact", "--findings", findings_path], stdin=inp,
                           stdout=subprocess.DEVNULL, env=env, check=True)
        with open(findings_path) as f:
            findings = [json.loads(line) for line in f]
        mb = size / 1e6
        total_mb += mb
        by_rule = collections.Counter(f["rule"] for f in findings)
        total.update(by_rule)
        print("%-13s %8.1f MB %6d files %6d findings (%.3f/MB)" % (name, mb, len(paths), len(findings), len(findings) / mb if mb else 0))
        for rule, n in by_rule.most_common():
            print("    %-28s %6d  %.3f/MB" % (rule, n, n / mb))
        if sample:
            with open(blob, "rb") as f:
                data = f.read()
            for fd in findings:
                i = bisect.bisect_right(starts, fd["start"]) - 1
                ctx = data[max(0, fd["start"] - 50):fd["start"]] + b"<<" + data[fd["start"]:fd["end"]] + b">>" + data[fd["end"]:fd["end"] + 30]
                sample.write("%s\t%s\t%s:%d\t%r\n" % (name, fd["rule"], paths[i], fd["line"], ctx))
        os.unlink(blob)
    print("all %8.1f MB, %d findings" % (total_mb, sum(total.values())))
    for rule, n in total.most_common():
        flag = "  ABOVE 1 per 10 MB" if n / total_mb > args.limit else ""
        print("    %-28s %6d  %.4f/MB%s" % (rule, n, n / total_mb, flag))
    return 0


if __name__ == "__main__":
    sys.exit(main())
