# SPDX-License-Identifier: Apache-2.0
"""Secret and PII formats for the labelled corpus, written from the format definitions in
shared/research/secret-formats.md and vendors' public documentation -- never from the
redactor's regexes. Each format makes a random value (with a valid checksum where the format
has one) and says how it is usually written (the context templates). Labels name the rule id
expected to find it; the scorer credits any rule that covers every byte."""

import base64
import json
import random
import string
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase  # GitHub's CRC order
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "_-"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper()


def rnd(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b62_crc(body30):
    crc = zlib.crc32(body30.encode())
    out = ""
    while crc:
        out = B62[crc % 62] + out
        crc //= 62
    return out.rjust(6, "0")


def gh_token(rng, prefix):
    body = rnd(rng, ALNUM, 30)
    return prefix + body + b62_crc(body)


def b64(data):
    return base64.b64encode(data).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(rng):
    header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {"sub": str(rng.randrange(10**6, 10**9)), "iat": rng.randrange(1.6e9, 1.8e9),
               "name": rnd(rng, string.ascii_lowercase, 6)}
    sig = rng.randbytes(rng.choice([32, 64, 256]))
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()),
                     b64url(sig)])


def pem(rng, kind):
    der_len = {"RSA ": 1190, "EC ": 121, "": 1218, "OPENSSH ": 400, "ENCRYPTED ": 1300}[kind]
    if kind == "OPENSSH ":
        body = b64(b"openssh-key-v1\x00" + rng.randbytes(der_len))
        width = 70
    else:
        body = b64(b"\x30\x82" + rng.randbytes(der_len))
        width = 64
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return ("-----BEGIN %sPRIVATE KEY-----\n" % kind + "\n".join(lines) +
            "\n-----END %sPRIVATE KEY-----" % kind)


def pgp(rng):
    body = b64(b"\x95\x03\xc6" + rng.randbytes(700))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(lines) + "\n=" +
            rnd(rng, B64, 4) + "\n-----END PGP PRIVATE KEY BLOCK-----")


def putty(rng):
    pub = b64(rng.randbytes(51))
    priv = b64(rng.randbytes(96))
    return ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: agent@build\n"
            "Public-Lines: 2\n%s\n%s\nPrivate-Lines: 1\n%s\nPrivate-MAC: %s" %
            (pub[:64], pub[64:] or "AAAA", priv, rnd(rng, HEX, 64)))


def luhn_complete(prefix, length, rng):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(rng.randrange(10))
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    digits.append((10 - total % 10) % 10)
    return "".join(map(str, digits))


def card(rng):
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15),
                                 ("37", 15), ("6011", 16), ("65", 16), ("3530", 16)])
    n = luhn_complete(prefix, length, rng)
    sep = rng.choice(["", " ", "-"])
    if length == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i:i + 4] for i in range(0, 16, 4))


IBAN_BBAN = {  # country: BBAN layout as (kind, count) with n = digits, a = upper letters, c = alnum
    "DE": "n18", "FR": "n10c11n2", "ES": "n20", "IT": "a1n10c12", "GB": "a4n14",
    "NL": "a4n10", "BE": "n12", "CH": "n5c12", "AT": "n16", "PL": "n24", "SE": "n20",
    "IE": "a4n14", "PT": "n21", "FI": "n14", "NO": "n11", "DK": "n14",
}


def iban(rng):
    cc = rng.choice(sorted(IBAN_BBAN))
    layout = IBAN_BBAN[cc]
    bban = ""
    i = 0
    while i < len(layout):
        kind = layout[i]
        j = i + 1
        while j < len(layout) and layout[j].isdigit():
            j += 1
        count = int(layout[i + 1:j])
        alpha = {"n": string.digits, "a": string.ascii_uppercase,
                 "c": string.ascii_uppercase + string.digits}[kind]
        bban += rnd(rng, alpha, count)
        i = j
    moved = bban + cc + "00"
    num = int("".join(str(int(ch, 36)) for ch in moved))
    check = 98 - num % 97
    full = cc + "%02d" % check + bban
    if rng.random() < 0.5:
        return " ".join(full[k:k + 4] for k in range(0, len(full), 4))
    return full


def ssn(rng):
    while True:
        area = rng.randrange(1, 900)
        if area != 666:
            break
    return "%03d-%02d-%04d" % (area, rng.randrange(1, 100), rng.randrange(1, 10000))


def nanp(rng):
    npa = "%d%d%d" % (rng.randrange(2, 10), rng.randrange(0, 10), rng.randrange(0, 10))
    if npa[1:] == "11":
        npa = npa[0] + "20"
    nxx = "%d%02d" % (rng.randrange(2, 10), rng.randrange(0, 100))
    if nxx == "555":
        nxx = "556"
    line = "%04d" % rng.randrange(10000)
    return rng.choice(["(%s) %s-%s", "%s-%s-%s", "(%s) %s %s"]) % (npa, nxx, line)


def e164(rng):
    cc, groups = rng.choice([("44", [2, 4, 4]), ("49", [2, 8]), ("33", [1, 2, 2, 2, 2]),
                             ("1", [3, 3, 4]), ("81", [2, 4, 4]), ("61", [1, 4, 4]),
                             ("34", [3, 3, 3]), ("91", [5, 5])])
    parts = ["%d" % rng.randrange(1, 10) + rnd(rng, string.digits, g - 1) for g in groups]
    return "+" + cc + " " + rng.choice([" ", "-"]).join(parts)


def national_phone(rng):
    return rng.choice(["0%d %s %s" % (rng.randrange(1, 10), rnd(rng, string.digits, 4),
                                     rnd(rng, string.digits, 4)),
                       "0%d%s %s" % (rng.randrange(1, 10), rnd(rng, string.digits, 3),
                                     rnd(rng, string.digits, 6)),
                       "0%d %s %s %s" % (rng.randrange(1, 10), rnd(rng, string.digits, 2),
                                         rnd(rng, string.digits, 2), rnd(rng, string.digits, 2))])


FIRST = ["alice", "bob", "chen", "dana", "eve", "farid", "greta", "hiro", "ines", "jon", "kemal",
         "lena", "marta", "nils", "olga", "priya", "quinn", "rosa", "sven", "tomas"]
LAST = ["smith", "nguyen", "garcia", "muller", "rossi", "kowalski", "tanaka", "okafor", "silva"]
DOMAINS = ["corp-mail.io", "acme.co.uk", "mailbox.org", "gmail.com", "outlook.com",
           "startup.dev", "uni-heidelberg.de", "company.fr", "fastmail.com", "proton.me"]


def email(rng):
    local = rng.choice(["%s.%s", "%s_%s", "%s%s"]) % (rng.choice(FIRST), rng.choice(LAST))
    if rng.random() < 0.3:
        local += str(rng.randrange(100))
    return local + "@" + rng.choice(DOMAINS)


def human_password(rng):
    words = ["Tr0ub4dor", "Summer", "Winter", "dragon", "Mon", "kiwi", "Blue", "Zebra"]
    return rng.choice(words) + rng.choice(["-", "_", "!", "#", ""]) + rnd(rng, ALNUM, rng.randrange(3, 9))


def url_password(rng):
    return rnd(rng, ALNUM, rng.randrange(8, 20)) + rng.choice(["", "!", "_x", "-9"])


def tpl(*t):
    return list(t)


ENVLINE = tpl("export {var}={v}", "{var}={v}", "{var}=\"{v}\"", "  {var}: {v}", "\"{var}\": \"{v}\"",
              "{var} = \"{v}\"", "set {var}={v}")
TOKEN_ANY = ENVLINE + tpl("token {v} accepted", "using key {v} for the request",
                          "--token {v}", "'{v}'", "Error: invalid credentials: {v}")

# id, class, var names, generator, templates (None = ENVLINE / TOKEN_ANY defaults)
F = []


def fmt(rule, cls, var, gen, templates=None):
    F.append({"rule": rule, "class": cls, "var": var, "gen": gen, "templates": templates})


S, C, P = "secret", "credential", "pii"
fmt("aws-access-key-id", S, ["AWS_ACCESS_KEY_ID", "aws_access_key_id"],
    lambda r: rng_pick(r, ["AKIA", "ASIA"]) + rnd(r, B32, 16))
fmt("aws-secret-access-key", C, ["aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"],
    lambda r: rnd(r, B64, 40), ENVLINE)
fmt("aws-session-token", S, ["aws_session_token", "AWS_SESSION_TOKEN"],
    lambda r: "IQoJb3JpZ2luX2Vj" + rnd(r, B64, 300), ENVLINE)
fmt("aws-bedrock-api-key", S, ["AWS_BEARER_TOKEN_BEDROCK"], lambda r: "ABSK" + rnd(r, B64, 140))
fmt("google-api-key", S, ["GOOGLE_API_KEY", "GEMINI_API_KEY"], lambda r: "AIzaSy" + rnd(r, B64URL, 33))
fmt("google-oauth-client-secret", S, ["client_secret"], lambda r: "GOCSPX-" + rnd(r, B64URL, 28))
fmt("google-oauth-token", S, ["access_token"], lambda r: "ya29." + rnd(r, B64URL, 150))
fmt("google-oauth-refresh-token", S, ["refresh_token"], lambda r: "1//0" + rnd(r, B64URL, 100))
fmt("gcp-private-key-id", S, ["private_key_id"], lambda r: rnd(r, HEX, 40),
    tpl('  "private_key_id": "{v}",', '"private_key_id":"{v}"'))
fmt("azure-storage-key", S, ["AZURE_STORAGE_CONNECTION_STRING"], lambda r: b64(r.randbytes(64)),
    tpl("DefaultEndpointsProtocol=https;AccountName=acct%d;AccountKey={v};EndpointSuffix=core.windows.net"))
fmt("azure-shared-access-key", S, ["SERVICEBUS"], lambda r: b64(r.randbytes(32)),
    tpl("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={v}"))
fmt("azure-sas-token", S, ["SAS"], lambda r: b64(r.randbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"),
    tpl("https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2026-12-01T00:00:00Z&sig={v}"))
fmt("azure-ad-client-secret", S, ["AZURE_CLIENT_SECRET"],
    lambda r: rnd(r, ALNUM, 3) + str(r.randrange(10)) + "Q~" + rnd(r, ALNUM + "_~.-", 34))
fmt("azure-devops-pat", S, ["AZURE_DEVOPS_PAT", "azure_devops_token"],
    lambda r: rnd(r, string.ascii_lowercase + string.digits, 52), ENVLINE)
fmt("azure-openai-key", S, ["AZURE_OPENAI_API_KEY", "azure_openai_key"], lambda r: rnd(r, HEX, 32), ENVLINE)
fmt("digitalocean-token", S, ["DIGITALOCEAN_TOKEN"], lambda r: rng_pick(r, ["dop_v1_", "doo_v1_"]) + rnd(r, HEX, 64))
fmt("cloudflare-api-token", S, ["CLOUDFLARE_API_TOKEN"], lambda r: "cfut_" + rnd(r, ALNUM, 40) + rnd(r, HEX, 8))
fmt("cloudflare-origin-ca-key", S, ["CF_ORIGIN_CA_KEY"], lambda r: "v1.0-" + rnd(r, HEX, 24) + "-" + rnd(r, HEX, 146))
fmt("heroku-api-key", S, ["HEROKU_API_KEY"], lambda r: "HRKU-AA" + rnd(r, B64URL, 58))
fmt("flyio-token", S, ["FLY_API_TOKEN"], lambda r: "fo1_" + rnd(r, B64URL, 43))
fmt("vercel-token", S, ["VERCEL_TOKEN"], lambda r: "vcp_" + rnd(r, ALNUM, 24))
fmt("supabase-token", S, ["SUPABASE_ACCESS_TOKEN"], lambda r: "sbp_" + rnd(r, HEX, 40))
fmt("planetscale-token", S, ["PLANETSCALE_TOKEN"], lambda r: "pscale_tkn_" + rnd(r, ALNUM, 43))
fmt("pulumi-token", S, ["PULUMI_ACCESS_TOKEN"], lambda r: "pul-" + rnd(r, HEX, 40))
fmt("terraform-cloud-token", S, ["TFE_TOKEN", "token"], lambda r: rnd(r, ALNUM, 14) + ".atlasv1." + rnd(r, B64URL, 67))
fmt("doppler-token", S, ["DOPPLER_TOKEN"], lambda r: "dp.st." + rnd(r, ALNUM, 43))
fmt("tailscale-key", S, ["TS_AUTHKEY"], lambda r: "tskey-auth-" + rnd(r, ALNUM, 12) + "-" + rnd(r, ALNUM, 32))
fmt("alibaba-access-key-id", S, ["ALIBABA_CLOUD_ACCESS_KEY_ID"], lambda r: "LTAI" + rnd(r, ALNUM, 20))
fmt("openshift-token", S, ["OC_TOKEN"], lambda r: "sha256~" + rnd(r, B64URL, 43),
    tpl("oc login --token={v} --server=https://api.cluster:6443", "export OC_TOKEN={v}"))
# AI providers
fmt("openai-api-key", S, ["OPENAI_API_KEY"],
    lambda r: "sk-proj-" + rnd(r, B64URL, 74) + "T3BlbkFJ" + rnd(r, B64URL, 74))
fmt("openai-legacy-key", S, ["OPENAI_API_KEY"], lambda r: "sk-" + rnd(r, ALNUM, 20) + "T3BlbkFJ" + rnd(r, ALNUM, 20))
fmt("anthropic-api-key", S, ["ANTHROPIC_API_KEY"], lambda r: "sk-ant-api03-" + rnd(r, B64URL, 93) + "AA")
fmt("anthropic-oauth-token", S, ["CLAUDE_CODE_OAUTH_TOKEN"], lambda r: "sk-ant-oat01-" + rnd(r, B64URL, 93) + "AA")
fmt("huggingface-token", S, ["HF_TOKEN"], lambda r: "hf_" + rnd(r, string.ascii_letters, 34))
fmt("huggingface-org-token", S, ["HF_ORG_TOKEN"], lambda r: "api_org_" + rnd(r, string.ascii_letters, 34))
fmt("groq-api-key", S, ["GROQ_API_KEY"], lambda r: "gsk_" + rnd(r, ALNUM, 52))
fmt("openrouter-api-key", S, ["OPENROUTER_API_KEY"], lambda r: "sk-or-v1-" + rnd(r, HEX, 64))
fmt("xai-api-key", S, ["XAI_API_KEY"], lambda r: "xai-" + rnd(r, ALNUM, 80))
fmt("perplexity-api-key", S, ["PPLX_API_KEY"], lambda r: "pplx-" + rnd(r, ALNUM, 48))
fmt("replicate-api-token", S, ["REPLICATE_API_TOKEN"], lambda r: "r8_" + rnd(r, B64URL, 37))
fmt("databricks-token", S, ["DATABRICKS_TOKEN"], lambda r: "dapi" + rnd(r, HEX, 32))
fmt("langsmith-api-key", S, ["LANGSMITH_API_KEY"], lambda r: "lsv2_pt_" + rnd(r, HEX, 32) + "_" + rnd(r, HEX, 10))
fmt("pinecone-api-key", S, ["PINECONE_API_KEY"], lambda r: "pcsk_" + rnd(r, ALNUM, 5) + "_" + rnd(r, ALNUM, 63))
fmt("cohere-api-key", S, ["COHERE_API_KEY", "co_api_key"], lambda r: rnd(r, ALNUM, 40), ENVLINE)
fmt("mistral-api-key", S, ["MISTRAL_API_KEY"], lambda r: rnd(r, ALNUM, 32), ENVLINE)
fmt("deepseek-api-key", S, ["DEEPSEEK_API_KEY"], lambda r: "sk-" + rnd(r, HEX, 32), ENVLINE)
fmt("wandb-api-key", S, ["WANDB_API_KEY"], lambda r: rnd(r, HEX, 40), ENVLINE)
# source hosting, CI, registries
fmt("github-pat", S, ["GITHUB_TOKEN", "GH_TOKEN"], lambda r: gh_token(r, "ghp_"))
fmt("github-token", S, ["GITHUB_TOKEN"], lambda r: gh_token(r, rng_pick(r, ["gho_", "ghu_", "ghs_", "ghr_"])),
    TOKEN_ANY + tpl("git clone https://x-access-token:{v}@github.com/org/repo.git"))
fmt("github-fine-grained-pat", S, ["GITHUB_TOKEN"], lambda r: "github_pat_11" + rnd(r, ALNUM, 20) + "_" + rnd(r, ALNUM, 59))
fmt("gitlab-pat", S, ["GITLAB_TOKEN"], lambda r: "glpat-" + rnd(r, B64URL, 20))
fmt("gitlab-token", S, ["CI_RUNNER_TOKEN"], lambda r: rng_pick(r, ["glrt-", "gldt-", "glcbt-"]) + rnd(r, B64URL, 20))
fmt("npm-token", S, ["NPM_TOKEN"], lambda r: gh_token(r, "npm_"),
    TOKEN_ANY + tpl("//registry.npmjs.org/:_authToken={v}"))
fmt("npmrc-auth", C, ["npmrc"], lambda r: "%08x-%04x-4%03x-a%03x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(12), r.getrandbits(12), r.getrandbits(48)),
    tpl("//registry.npmjs.org/:_authToken={v}", "//npm.pkg.github.com/:_authToken={v}"))
fmt("pypi-token", S, ["TWINE_PASSWORD"], lambda r: "pypi-AgEIcHlwaS5vcmc" + rnd(r, B64URL, 150),
    ENVLINE + tpl("[pypi]\nusername = __token__\npassword = {v}"))
fmt("docker-hub-token", S, ["DOCKERHUB_TOKEN"], lambda r: "dckr_pat_" + rnd(r, B64URL, 27))
fmt("docker-config-auth", C, ["auth"], lambda r: b64(("%s:%s" % (rng_pick(r, FIRST), url_password(r))).encode()),
    tpl('{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{v}"}}}}}}', '      "auth": "{v}"'))
fmt("rubygems-api-key", S, ["GEM_HOST_API_KEY"], lambda r: "rubygems_" + rnd(r, HEX, 48))
fmt("nuget-api-key", S, ["NUGET_API_KEY"], lambda r: "oy2" + rnd(r, string.ascii_lowercase + string.digits, 43))
fmt("crates-io-token", S, ["CARGO_REGISTRY_TOKEN"], lambda r: "cio" + rnd(r, ALNUM, 32))
fmt("jfrog-api-key", S, ["ARTIFACTORY_API_KEY"], lambda r: "AKCp" + rnd(r, ALNUM, 69))
fmt("jfrog-reference-token", S, ["JFROG_TOKEN"], lambda r: "cmVmdGtuOjAxOj" + rnd(r, ALNUM, 50))
fmt("clojars-token", S, ["CLOJARS_TOKEN"], lambda r: "CLOJARS_" + rnd(r, string.ascii_lowercase + string.digits, 60))
fmt("bitbucket-app-password", S, ["BITBUCKET_APP_PASSWORD"], lambda r: "ATBB" + rnd(r, ALNUM, 24) + rnd(r, HEX.upper(), 8))
fmt("atlassian-api-token", S, ["JIRA_API_TOKEN"], lambda r: "ATATT3" + rnd(r, B64URL, 180) + "=" + rnd(r, HEX.upper(), 8))
fmt("circleci-token", S, ["CIRCLECI_TOKEN"], lambda r: "CCIPAT_" + rnd(r, ALNUM, 22) + "_" + rnd(r, HEX, 40))
fmt("circleci-legacy-token", S, ["CIRCLE_TOKEN", "circleci_token"], lambda r: rnd(r, HEX, 40), ENVLINE)
fmt("travis-ci-token", S, ["TRAVIS_TOKEN", "travis_api_token"], lambda r: rnd(r, B64URL, 22), ENVLINE)
fmt("buildkite-token", S, ["BUILDKITE_API_TOKEN"], lambda r: "bkua_" + rnd(r, HEX, 40))
fmt("sourcegraph-token", S, ["SRC_ACCESS_TOKEN"], lambda r: "sgp_" + rnd(r, HEX, 16) + "_" + rnd(r, HEX, 40))
fmt("sonarqube-token", S, ["SONAR_TOKEN"], lambda r: rng_pick(r, ["squ_", "sqp_"]) + rnd(r, HEX, 40))
fmt("prefect-api-key", S, ["PREFECT_API_KEY"], lambda r: "pnu_" + rnd(r, ALNUM, 36))
fmt("octopus-deploy-api-key", S, ["OCTOPUS_API_KEY"], lambda r: "API-" + rnd(r, string.ascii_uppercase + string.digits, 26))
fmt("harness-token", S, ["HARNESS_TOKEN"], lambda r: "pat." + rnd(r, B64URL, 22) + "." + rnd(r, HEX, 24) + "." + rnd(r, ALNUM, 20))
# payments and SaaS
fmt("slack-token", S, ["SLACK_BOT_TOKEN"], lambda r: "xoxb-%d-%d-%s" % (r.randrange(10**10, 10**13), r.randrange(10**10, 10**13), rnd(r, ALNUM, 24)))
fmt("slack-webhook", S, ["SLACK_WEBHOOK_URL"], lambda r: "https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(r, B32, 8), rnd(r, B32, 10), rnd(r, ALNUM, 24)))
fmt("stripe-secret-key", S, ["STRIPE_SECRET_KEY"], lambda r: rng_pick(r, ["sk_live_", "rk_live_", "sk_test_"]) + "51" + rnd(r, ALNUM, 97))
fmt("stripe-webhook-secret", S, ["STRIPE_WEBHOOK_SECRET"], lambda r: "whsec_" + rnd(r, ALNUM, 32))
fmt("twilio-api-key", S, ["TWILIO_API_KEY"], lambda r: "SK" + rnd(r, HEX, 32))
fmt("twilio-auth-token", S, ["TWILIO_AUTH_TOKEN"], lambda r: rnd(r, HEX, 32), ENVLINE)
fmt("sendgrid-api-key", S, ["SENDGRID_API_KEY"], lambda r: "SG." + rnd(r, B64URL, 22) + "." + rnd(r, B64URL, 43))
fmt("discord-webhook", S, ["DISCORD_WEBHOOK"], lambda r: "https://discord.com/api/webhooks/%d/%s" % (r.randrange(10**17, 10**19), rnd(r, B64URL, 68)))
fmt("discord-bot-token", S, ["DISCORD_BOT_TOKEN", "discord_token"],
    lambda r: rng_pick(r, ["M", "N", "O"]) + rnd(r, B64URL, 23) + "." + rnd(r, B64URL, 6) + "." + rnd(r, B64URL, 38), ENVLINE)
fmt("telegram-bot-token", S, ["TELEGRAM_BOT_TOKEN"], lambda r: "%d:AA%s" % (r.randrange(10**8, 10**10), rnd(r, B64URL, 33)))
fmt("square-access-token", S, ["SQUARE_ACCESS_TOKEN"], lambda r: "EAAA" + rnd(r, B64URL, 60))
fmt("square-oauth-secret", S, ["SQUARE_OAUTH_SECRET"], lambda r: "sq0csp-" + rnd(r, B64URL, 43))
fmt("shopify-token", S, ["SHOPIFY_ACCESS_TOKEN"], lambda r: "shpat_" + rnd(r, HEX, 32))
fmt("mailgun-api-key", S, ["MAILGUN_API_KEY"], lambda r: "key-" + rnd(r, HEX, 32))
fmt("mailchimp-api-key", S, ["MAILCHIMP_API_KEY"], lambda r: rnd(r, HEX, 32) + "-us" + str(r.randrange(1, 21)))
fmt("datadog-api-key", S, ["DD_API_KEY", "datadog_api_key"], lambda r: rnd(r, HEX, 32), ENVLINE)
fmt("datadog-app-key", S, ["DD_APP_KEY", "datadog_app_key"], lambda r: rnd(r, HEX, 40), ENVLINE)
fmt("new-relic-key", S, ["NEW_RELIC_API_KEY"], lambda r: "NRAK-" + rnd(r, string.ascii_uppercase + string.digits, 27))
fmt("sentry-token", S, ["SENTRY_AUTH_TOKEN"], lambda r: "sntryu_" + rnd(r, HEX, 64))
fmt("sentry-dsn", S, ["SENTRY_DSN"], lambda r: rnd(r, HEX, 32),
    tpl("SENTRY_DSN=https://{v}@o%d.ingest.sentry.io/%d", "dsn: \"https://{v}@o%d.ingest.us.sentry.io/%d\""))
fmt("dynatrace-token", S, ["DT_API_TOKEN"], lambda r: "dt0c01." + rnd(r, string.ascii_uppercase + string.digits, 24) + "." + rnd(r, string.ascii_uppercase + string.digits, 64))
fmt("grafana-token", S, ["GRAFANA_TOKEN"], lambda r: "glsa_" + rnd(r, ALNUM, 32) + "_" + rnd(r, HEX, 8))
fmt("grafana-api-key", S, ["GRAFANA_API_KEY"], lambda r: "eyJrIjoi" + rnd(r, ALNUM, 72))
fmt("postman-api-key", S, ["POSTMAN_API_KEY"], lambda r: "PMAK-" + rnd(r, HEX, 24) + "-" + rnd(r, HEX, 34))
fmt("vault-token", S, ["VAULT_TOKEN"], lambda r: "hvs." + rnd(r, B64URL, 90))
fmt("linear-api-key", S, ["LINEAR_API_KEY"], lambda r: "lin_api_" + rnd(r, ALNUM, 40))
fmt("notion-token", S, ["NOTION_TOKEN"], lambda r: "ntn_" + rnd(r, string.digits, 11) + rnd(r, ALNUM, 35))
fmt("figma-token", S, ["FIGMA_TOKEN"], lambda r: "figd_" + rnd(r, B64URL, 40))
fmt("dropbox-token", S, ["DROPBOX_TOKEN"], lambda r: "sl." + rnd(r, B64URL, 138))
fmt("twitter-bearer-token", S, ["TWITTER_BEARER_TOKEN"], lambda r: "A" * 22 + rnd(r, ALNUM + "%", 90))
fmt("facebook-access-token", S, ["FB_ACCESS_TOKEN"], lambda r: "EAAG" + rnd(r, ALNUM, 160))
fmt("hubspot-token", S, ["HUBSPOT_TOKEN"], lambda r: "pat-na1-%08x-%04x-%04x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(16), r.getrandbits(16), r.getrandbits(48)))
fmt("mapbox-secret-token", S, ["MAPBOX_SECRET_TOKEN"], lambda r: "sk.eyJ" + rnd(r, B64URL, 60) + "." + rnd(r, B64URL, 22))
fmt("shippo-token", S, ["SHIPPO_TOKEN"], lambda r: "shippo_live_" + rnd(r, HEX, 40))
fmt("easypost-api-key", S, ["EASYPOST_API_KEY"], lambda r: "EZAK" + rnd(r, ALNUM, 54))
fmt("flutterwave-secret-key", S, ["FLW_SECRET_KEY"], lambda r: "FLWSECK-" + rnd(r, HEX, 32) + "-X")
fmt("duffel-token", S, ["DUFFEL_TOKEN"], lambda r: "duffel_live_" + rnd(r, B64URL, 43))
fmt("readme-api-key", S, ["README_API_KEY"], lambda r: "rdme_" + rnd(r, string.ascii_lowercase + string.digits, 70))
fmt("scalingo-token", S, ["SCALINGO_TOKEN"], lambda r: "tk-us-" + rnd(r, B64URL, 48))
fmt("infracost-api-key", S, ["INFRACOST_API_KEY"], lambda r: "ico-" + rnd(r, ALNUM, 32))
fmt("adobe-client-secret", S, ["ADOBE_CLIENT_SECRET"], lambda r: "p8e-" + rnd(r, ALNUM, 32))
fmt("frameio-token", S, ["FRAMEIO_TOKEN"], lambda r: "fio-u-" + rnd(r, B64URL, 64))
fmt("onepassword-service-token", S, ["OP_SERVICE_ACCOUNT_TOKEN"], lambda r: "ops_eyJ" + rnd(r, B64, 300))
fmt("onepassword-secret-key", S, ["OP_SECRET_KEY"], lambda r: "A3-" + "-".join(rnd(r, string.ascii_uppercase + string.digits, n) for n in (6, 6, 5, 5, 5)))
# key material, JWTs, Kubernetes
fmt("private-key", S, ["key"], lambda r: pem(r, rng_pick(r, ["RSA ", "EC ", "", "OPENSSH ", "ENCRYPTED "])), tpl("{v}", "$ cat id_rsa\n{v}"))
fmt("private-key", S, ["key"], pgp, tpl("{v}"))
fmt("private-key-base64", S, ["client-key-data"], lambda r: b64(pem(r, "RSA ").encode()), tpl("    client-key-data: {v}", "  tls.key: {v}"))
fmt("putty-private-key", S, ["ppk"], putty, tpl("$ cat ~/.ssh/id.ppk\n{v}"))
fmt("age-secret-key", S, ["AGE_KEY"], lambda r: "AGE-SECRET-KEY-1" + rnd(r, BECH32, 58), tpl("# created: 2026-11-02\n# public key: age1%s\n{v}" , "{var}={v}"))
fmt("jwt", S, ["ID_TOKEN", "session"], jwt, TOKEN_ANY + tpl("Cookie: session={v}"))
fmt("kubernetes-secret", S, ["k8s"], lambda r: b64(rnd(r, ALNUM, 18).encode()),
    tpl("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-%d\ntype: Opaque\ndata:\n  value: {v}"))
fmt("kubeconfig-token", S, ["kubeconfig"], lambda r: rnd(r, ALNUM, 40),
    tpl("users:\n- name: admin\n  user:\n    token: {v}"))
fmt("kubernetes-bootstrap-token", S, ["kubeadm"], lambda r: rnd(r, string.ascii_lowercase + string.digits, 6) + "." + rnd(r, string.ascii_lowercase + string.digits, 16),
    tpl("kubeadm join cp.cluster.internal:6443 --token {v} --discovery-token-ca-cert-hash sha256:%s"))
# credentials by context
fmt("bearer-token", C, ["auth"], lambda r: rnd(r, B64URL, 40), tpl("curl -H 'Authorization: Bearer {v}' https://api.internal/v1", "\"authorization\": \"Bearer {v}\""))
fmt("authorization-header", C, ["auth"], lambda r: b64(("%s:%s" % (rng_pick(r, FIRST), url_password(r))).encode()), tpl("Authorization: Basic {v}", "> authorization: Basic {v}"))
fmt("api-key-header", C, ["hdr"], lambda r: rnd(r, ALNUM, 32), tpl("X-Api-Key: {v}", "PRIVATE-TOKEN: {v}", "curl -H \"x-api-key: {v}\" https://h"))
fmt("url-credentials", C, ["url"], url_password, tpl("git remote add origin https://%s:{v}@git.internal.net/repo.git", "ftp://%s:{v}@files.corp.net/pub"))
fmt("database-url-password", C, ["DATABASE_URL"], url_password,
    tpl("DATABASE_URL=postgres://%s:{v}@db.internal:5432/app", "mongodb+srv://%s:{v}@cluster0.abcde.mongodb.net/test", "REDIS_URL=redis://%s:{v}@cache:6379/0", "amqp://%s:{v}@rabbit:5672/"))
fmt("jdbc-password", C, ["JDBC"], url_password, tpl("jdbc:postgresql://db:5432/app?user=%s&password={v}", "jdbc:sqlserver://db:1433;databaseName=app;user=%s;password={v}"))
fmt("password-assignment", C, ["DB_PASSWORD", "password", "MYSQL_ROOT_PASSWORD", "adminPassword"], human_password,
    tpl("{var}={v}", "  {var}: {v}", "\"{var}\": \"{v}\"", "{var} = '{v}'", "[pypi]\nusername = bob\npassword = {v}"))
fmt("netrc-password", C, ["netrc"], human_password, tpl("machine api.heroku.com login %s password {v}", "machine github.com\n  login %s\n  password {v}"))
fmt("curl-user-password", C, ["curl"], url_password, tpl("$ curl -u %s:{v} https://api.internal/status", "curl -s --user %s:{v} https://x"))
fmt("generic-secret-assignment", C, ["API_SECRET", "client_secret", "app_token", "signing_secret"], lambda r: rnd(r, ALNUM, 32), ENVLINE)
# PII
fmt("email", P, ["email"], email, tpl("Author: %s <{v}>", "contact: {v}", "\"email\": \"{v}\"", "Signed-off-by: Dev <{v}>", "sent to {v} at 10:42"))
fmt("phone-e164", P, ["phone"], e164, tpl("call {v} tomorrow", "\"mobile\": \"{v}\"", "Tel {v}", "whatsapp {v}"))
fmt("phone-nanp", P, ["phone"], nanp, tpl("call {v} tomorrow", "office: {v}", "\"contact\": \"{v}\""))
fmt("phone-labelled", P, ["phone"], national_phone, tpl("phone: {v}", "Tel.: {v}", "mobile = \"{v}\"", "Telefon: {v}"))
fmt("credit-card", P, ["card"], card, tpl("card {v} exp 12/29", "\"pan\": \"{v}\"", "charged {v} for $12.00"))
fmt("iban", P, ["iban"], iban, tpl("IBAN: {v}", "pay to {v} by Friday", "\"iban\": \"{v}\""))
fmt("us-ssn", P, ["ssn"], ssn, tpl("ssn {v} on file", "\"ssn\": \"{v}\"", "SSN: {v}"))


def rng_pick(rng, items):
    return rng.choice(items)


# Which redaction class each rule id belongs to (the class the label claims).
CLASS_OF = {f["rule"]: f["class"] for f in F}
