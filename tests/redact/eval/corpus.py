# SPDX-License-Identifier: Apache-2.0
"""Deterministic labelled corpus: positives (secrets in agent-output shapes, with byte-offset
labels) and tempting negatives (hashes, UUIDs, base64, minified JS, lockfile integrity
strings, documented example keys, git SHAs, near-misses). Same seed, same bytes."""

import base64
import hashlib
import json
import random
import string

import formats as fm

NON_ASCII = ["Конфигурация загружена: ", "设置完成，密钥如下 ", "Größe geändert → ", "résumé ✓ ",
             "ログ出力: ", "¿Configuración? ", "🔑 ", "Ελέγχος: "]


def _json_str(s):
    return json.dumps(s)[1:-1]


def _wrap(rng, line):
    """Puts one line holding the secret into an agent-output shape. Returns (prefix, line,
    suffix, escape) where escape says the line is written JSON-escaped."""
    ts = "2026-11-%02dT%02d:%02d:%02dZ" % (rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60))
    lead = rng.choice(NON_ASCII) if rng.random() < 0.2 else ""
    shape = rng.randrange(7)
    if shape == 0:  # tool-call transcript (stream-json-like, JSON-escaped)
        pre = '{"type":"tool_result","tool_use_id":"toolu_%s","content":"$ cat .env\\n%s' % (
            fm.rnd(rng, fm.ALNUM, 12), _json_str(lead))
        return pre, line, '\\n","is_error":false}\n', True
    if shape == 1:  # stack trace
        pre = ("Traceback (most recent call last):\n  File \"/app/client.py\", line %d, in connect\n"
               "    raise AuthError(%s\n" % (rng.randrange(10, 400), lead))
        return pre, line, "\nAuthError: 401 Unauthorized\n", False
    if shape == 2:  # diff
        pre = ("diff --git a/config/app.env b/config/app.env\nindex %s..%s 100644\n--- a/config/app.env\n"
               "+++ b/config/app.env\n@@ -3,4 +3,4 @@\n context line\n+%s" %
               (fm.rnd(rng, fm.HEX, 7), fm.rnd(rng, fm.HEX, 7), lead))
        return pre, line, "\n context after\n", False
    if shape == 3:  # JSON log line (escaped)
        pre = '{"ts":"%s","level":"debug","logger":"http","msg":"%s' % (ts, _json_str(lead))
        return pre, line, '","status":200}\n', True
    if shape == 4:  # shell session
        pre = "agent@sandbox:/workspace$ env | sort\nHOME=/home/agent\n%s" % lead
        return pre, line, "\nagent@sandbox:/workspace$ \n", False
    if shape == 5:  # config file
        pre = "# generated %s\n[service]\nname = \"api\"\n%s" % (ts, lead)
        return pre, line, "\nretries = 3\n", False
    pre = "%s INFO  worker-%d  %s" % (ts, rng.randrange(16), lead)
    return pre, line, "\n", False


def _render(rng, f):
    secret = f["gen"](rng)
    templates = f["templates"] or fm.TOKEN_ANY
    t = rng.choice(templates)
    var = rng.choice(f["var"])
    filled = t.replace("{var}", var)
    while "%s" in filled:
        filled = filled.replace("%s", rng.choice(fm.FIRST), 1)
    while "%d" in filled:
        filled = filled.replace("%d", str(rng.randrange(1000, 999999)), 1)
    filled = filled.replace("{{", "{").replace("}}", "}")
    before, after = filled.split("{v}", 1)
    return secret, before, after


def positives(rng, n):
    """Yields (text bytes, [(start, end, rule, class)]) snippets; offsets relative."""
    forms = fm.F
    for i in range(n):
        f = forms[i % len(forms)]
        secret, before, after = _render(rng, f)
        pre, _, suf, escape = _wrap(rng, "")
        if escape and ("\n" in secret or '"' in before + after):
            escape = False
            pre, suf = "$ cat settings\n", "\n"
        if escape:
            before, after = _json_str(before), _json_str(after)
            enc_secret = _json_str(secret)
        else:
            enc_secret = secret
        head = (pre + before).encode()
        body = enc_secret.encode()
        text = head + body + (after + suf).encode()
        yield text, [(len(head), len(head) + len(body), f["rule"], f["class"])]


def _uuid(rng):
    h = fm.rnd(rng, fm.HEX, 32)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def _minified_js(rng):
    names = "abcdefghijklmnopqrstuvwxyz"
    parts = []
    for _ in range(rng.randrange(4, 10)):
        a, b = rng.choice(names), rng.choice(names)
        parts.append(rng.choice([
            "function %s(%s){return %s+%d}" % (a, b, b, rng.randrange(99)),
            "var %s=%s.map(function(e){return e.id});" % (a, b),
            "%s.exports={%s:%s,token:%s.t}" % (a, b, b, a),
            "if(!%s)throw new Error(\"missing %s\");" % (a, b),
            "const %s=\"%s\";" % (a, fm.rnd(rng, fm.ALNUM, rng.randrange(8, 40)))]))
    return ";".join(parts)


def _negative(rng):
    kind = rng.randrange(20)
    if kind == 0:
        return "commit %s\nAuthor: Dev <dev@example.com>\nDate:   Mon Nov 2 10:00:00 2026\n" % hashlib.sha1(rng.randbytes(16)).hexdigest()
    if kind == 1:
        return "sha256sum: %s  dist/app.tar.gz\n" % hashlib.sha256(rng.randbytes(16)).hexdigest()
    if kind == 2:
        return "request_id=%s trace_id=%s\n" % (_uuid(rng), fm.rnd(rng, fm.HEX, 32))
    if kind == 3:
        blob = base64.b64encode(rng.randbytes(rng.randrange(48, 300))).decode()
        return "data:image/png;base64,%s\n" % blob
    if kind == 4:
        return _minified_js(rng) + "\n"
    if kind == 5:
        name = rng.choice(["lodash", "react", "@babel/core", "chalk", "debug"])
        integ = base64.b64encode(hashlib.sha512(rng.randbytes(8)).digest()).decode()
        return ('    "node_modules/%s": {\n      "version": "4.%d.%d",\n      "resolved": "https://registry.npmjs.org/%s/-/%s-4.1.0.tgz",\n'
                '      "integrity": "sha512-%s",\n      "dev": true\n    },\n' % (name, rng.randrange(30), rng.randrange(30), name, name.split("/")[-1], integ))
    if kind == 6:
        return rng.choice([
            "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "OPENAI_API_KEY=sk-...your-key-here\n", "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}\n",
            "password: ********\n", "DB_PASSWORD=${DB_PASSWORD}\n", "api_key: <your-api-key>\n",
            "Authorization: Bearer $TOKEN\n", "postgres://user:password@localhost/db\n",
            "contact alice@example.com or bob@test.example\n"])
    if kind == 7:  # near-miss GitHub / npm tokens (checksum wrong)
        t = fm.gh_token(rng, rng.choice(["ghp_", "gho_", "npm_"]))
        bad = t[:-1] + ("A" if t[-1] != "A" else "B")
        return "token %s rejected: bad checksum\n" % bad
    if kind == 8:
        return rng.choice([
            "/etc/passwd: Read-only file system\n", "passwd: Authentication token manipulation error\n",
            "sudo: unable to open /etc/passwd: Permission denied\n", "pwd: /workspace/src\n",
            "bash: /usr/bin/passwd: No such file or directory\n", "password prompt skipped: not a tty\n",
            "token_count: %d\n" % rng.randrange(10**6, 10**12), "max_tokens: 4096\n",
            "secret_name: db-credentials\n", "tokens: 12345 input, 678 output\n"])
    if kind == 9:
        return "    at Object.<anonymous> (/app/node_modules/%s/lib/index.js:%d:%d)\n" % (rng.choice(["express", "pg", "axios"]), rng.randrange(1, 900), rng.randrange(1, 80))
    if kind == 10:
        return "Successfully built %s\nsha256:%s\n" % (fm.rnd(rng, fm.HEX, 12), fm.rnd(rng, fm.HEX, 64))
    if kind == 11:
        return "order %d shipped %s, invoice %d-%d\n" % (rng.randrange(10**9, 10**12), "2026-10-%02d" % rng.randrange(1, 29), rng.randrange(1000, 9999), rng.randrange(100000, 999999))
    if kind == 12:
        d = "4%015d" % rng.randrange(10**15)
        d = d[:-1] + str((int(d[-1]) + 1) % 10) if fm.luhn_complete(d[:-1], 16, random.Random(0)) == d else d
        return "build number %s finished in %dms\n" % (d, rng.randrange(1000))
    if kind == 13:
        return "std::vector<std::string> parse(const char* p) { return util::split(p, ':'); }\n"
    if kind == 14:
        return "version %d.%d.%d (build %s), python 3.11.%d\n" % (rng.randrange(9), rng.randrange(30), rng.randrange(30), fm.rnd(rng, fm.HEX, 8), rng.randrange(9))
    if kind == 15:
        return "   Compiling %s v0.%d.%d\n    Finished release [optimized] target(s) in %d.%02ds\n" % (rng.choice(["serde", "tokio", "regex"]), rng.randrange(30), rng.randrange(30), rng.randrange(90), rng.randrange(100))
    if kind == 16:
        return "git clone git@github.com:%s/%s.git\nimage: ghcr.io/org/app@sha256:%s\n" % (rng.choice(fm.FIRST), rng.choice(["api", "web"]), fm.rnd(rng, fm.HEX, 64))
    if kind == 17:
        return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%s agent@host\n" % fm.rnd(rng, fm.B64, 43)
    if kind == 18:
        return "-----BEGIN CERTIFICATE-----\nMIIC%s\n-----END CERTIFICATE-----\n" % fm.rnd(rng, fm.B64, 60)
    return "%s  %s\n" % (fm.rnd(rng, fm.ALNUM, rng.randrange(20, 60)), _uuid(rng))


def negatives(rng, n):
    for _ in range(n):
        pre, _, suf, escape = _wrap(rng, "")
        body = _negative(rng)
        if escape:
            body = _json_str(body)
        yield (pre + body + suf).encode(), []


def build(seed, n_pos, n_neg):
    """Returns (pos_bytes, pos_labels, pos_snippet_ends, neg_bytes, neg_snippet_ends)."""
    rng = random.Random(seed)
    pos, labels, pos_ends = bytearray(), [], []
    for text, lab in positives(rng, n_pos):
        base = len(pos)
        pos += text
        pos_ends.append(len(pos))
        labels += [(base + s, base + e, r, c) for s, e, r, c in lab]
    neg, neg_ends = bytearray(), []
    for text, _ in negatives(rng, n_neg):
        neg += text
        neg_ends.append(len(neg))
    return bytes(pos), labels, pos_ends, bytes(neg), neg_ends
