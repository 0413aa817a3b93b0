#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`agentbox redact --format sarif` (alone, and with --findings FILE) on part of the labelled
corpus: the log validates against the SARIF 2.1.0 schema shipped by the pinned npm package
@microsoft/jest-sarif (scripts/setup.sh) with Debian's python3-jsonschema, meets GitHub code
scanning's upload requirements, locates every labelled secret by byte offset, line and
column, and never contains a secret. Exit 77 (skip) if the schema is not installed."""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

SCHEMA = "node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"


def fail(msg):
    print("sarif_check: " + msg)
    sys.exit(1)


def github_requirements(log, n_results_min):
    if log.get("version") != "2.1.0":
        fail("version is not 2.1.0")
    runs = log["runs"]
    if len(runs) != 1:
        fail("expected one run")
    driver = runs[0]["tool"]["driver"]
    if not driver.get("name"):
        fail("tool.driver.name missing")
    ids = [r["id"] for r in driver["rules"]]
    if len(ids) != len(set(ids)):
        fail("duplicate rule ids")
    for r in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            if not r.get(key, {}).get("text"):
                fail("rule %s lacks %s.text" % (r["id"], key))
        if r["defaultConfiguration"]["level"] not in ("error", "warning", "note"):
            fail("rule %s level" % r["id"])
        sev = float(r["properties"]["security-severity"])
        if not 0.0 <= sev <= 10.0:
            fail("rule %s security-severity %s" % (r["id"], sev))
    results = runs[0]["results"]
    if len(results) < n_results_min:
        fail("only %d results" % len(results))
    if len(results) > 25000:
        fail("GitHub accepts at most 25,000 results per run")
    for res in results:
        if res["ruleId"] not in ids or ids[res["ruleIndex"]] != res["ruleId"]:
            fail("result rule %s not in rules" % res["ruleId"])
        if not res["message"]["text"]:
            fail("result without message.text")
        loc = res["locations"][0]["physicalLocation"]
        if not loc["artifactLocation"]["uri"] or loc["region"]["startLine"] < 1:
            fail("result without uri or startLine")
        if not res["partialFingerprints"]:
            fail("result without partialFingerprints")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agentbox", required=True)
    ap.add_argument("--tools", required=True, help=".tools/npm directory")
    args = ap.parse_args()
    schema_path = os.path.join(args.tools, SCHEMA)
    if not os.path.exists(schema_path):
        print("sarif_check: %s not installed (run scripts/setup.sh); skipping" % schema_path)
        return 77
    import jsonschema  # Debian python3-jsonschema
    schema = json.load(open(schema_path))
    pos, labels, _, _, _ = corpus.build(23, 400, 0)
    tmp = tempfile.mkdtemp(prefix="agentbox-sarif-")
    src = os.path.join(tmp, "agent output.log")  # a space: the URI must be encoded
    with open(src, "wb") as f:
        f.write(pos)
    env = dict(os.environ, AGENTBOX_STATE_DIR=tmp)
    alone = subprocess.run([args.agentbox, "redact", "--format", "sarif", src], env=env,
                           capture_output=True, check=True).stdout
    findings = os.path.join(tmp, "findings.sarif")
    redacted = subprocess.run([args.agentbox, "redact", "--findings", findings, "--format", "sarif", src],
                              env=env, capture_output=True, check=True).stdout
    with open(findings, "rb") as f:
        beside = f.read()
    if alone != beside:
        fail("SARIF on stdout and in --findings FILE differ")
    if b"[REDACTED:" not in redacted:
        fail("with --findings FILE stdout is not the redacted text")
    log = json.loads(alone)
    jsonschema.validate(log, schema)
    github_requirements(log, len(labels) // 2)
    lines = pos.split(b"\n")
    line_starts = [0]
    for ln in lines[:-1]:
        line_starts.append(line_starts[-1] + len(ln) + 1)
    regions = []
    for res in log["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]
        if loc["artifactLocation"]["uri"] != src.replace(" ", "%20"):
            fail("uri %r" % loc["artifactLocation"]["uri"])
        reg = loc["region"]
        off, n = reg["byteOffset"], reg["byteLength"]
        if line_starts[reg["startLine"] - 1] + reg["startColumn"] - 1 != off:
            fail("startLine/startColumn do not point at byteOffset %d" % off)
        end = off + n
        if line_starts[reg["endLine"] - 1] + reg["endColumn"] - 1 != end:
            fail("endLine/endColumn do not point at the end %d" % end)
        regions.append((off, end))
    located = sum(1 for s, e, _, _ in labels if any(a <= s and e <= b for a, b in regions))
    if located < 0.99 * len(labels):
        fail("only %d of %d labelled secrets located" % (located, len(labels)))
    for s, e, _, _ in labels:
        if pos[s:e] in alone:
            fail("a secret appears in the SARIF log")
    print("sarif_check: schema-valid SARIF 2.1.0, %d rules, %d results, %d/%d labelled secrets located"
          % (len(log["runs"][0]["tool"]["driver"]["rules"]), len(regions), located, len(labels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
