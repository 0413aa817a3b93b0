// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules.cc
// The built-in catalogue. Formats and false-positive guards follow the fact sheet summarised
// in docs/redaction.md. Regexes run over [context byte][window][terminator byte], so they use
// explicit boundary classes instead of look-behind (neither Vectorscan nor RE2 has it).
#include "redact/builtin_rules.h"

#include <utility>

namespace agentbox::redact {

namespace {

constexpr const char* kB62 = "A-Za-z0-9";
constexpr const char* kB64Url = "A-Za-z0-9_\\-";
constexpr const char* kAnyButNewline = "^\r\n";

struct TokenSpec {
  const char* id;
  RuleClass rule_class;
  Severity severity;
  double confidence;
  std::vector<std::string> keywords;
  const char* regex;
  uint32_t after_bytes;
  const char* continue_chars;
};

// A token whose keyword is its own prefix (ghp_, xoxb-): the whole match is redacted.
Rule token(TokenSpec spec) {
  Rule r;
  r.id = spec.id;
  r.rule_class = spec.rule_class;
  r.severity = spec.severity;
  r.confidence = spec.confidence;
  r.keywords = std::move(spec.keywords);
  r.regex = spec.regex;
  r.after_bytes = spec.after_bytes;
  r.continue_chars = spec.continue_chars;
  r.hold = HoldFrom::kMatchStart;
  r.redact_truncated = true;
  return r;
}

// A value found by the keyword before it (password=...): only the value is redacted.
Rule assignment(TokenSpec spec) {
  Rule r = token(std::move(spec));
  r.keywords_caseless = true;
  r.hold = HoldFrom::kKeywordEnd;
  r.redact_truncated = false;
  return r;
}

void addSecretTokens(std::vector<Rule>& rules) {
  using RC = RuleClass;
  using S = Severity;
  Rule aws = token({"aws-access-key-id",
                    RC::kSecret,
                    S::kHigh,
                    0.9,
                    {"AKIA", "ASIA", "ABIA", "ACCA"},
                    R"re([^A-Za-z0-9]((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})[^A-Za-z0-9])re",
                    17,
                    kB62});
  aws.allow = {"AKIAIOSFODNN7EXAMPLE"};
  rules.push_back(std::move(aws));

  Rule ghp = token({"github-pat",
                    RC::kSecret,
                    S::kCritical,
                    0.99,
                    {"ghp_"},
                    R"re([^A-Za-z0-9_](ghp_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  ghp.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(ghp));

  Rule gho = token({"github-token",
                    RC::kSecret,
                    S::kCritical,
                    0.99,
                    {"gho_", "ghu_", "ghs_", "ghr_"},
                    R"re([^A-Za-z0-9_](gh[ousr]_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  gho.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(gho));

  rules.push_back(
      token({"github-fine-grained-pat",
             RC::kSecret,
             S::kCritical,
             0.99,
             {"github_pat_"},
             R"re([^A-Za-z0-9_](github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})[^A-Za-z0-9_])re",
             83,
             "A-Za-z0-9_"}));
  rules.push_back(token(
      {"gitlab-pat",
       RC::kSecret,
       S::kCritical,
       0.95,
       {"glpat-"},
       R"re([^A-Za-z0-9_-](glpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)[^A-Za-z0-9_-])re",
       330,
       "A-Za-z0-9_.\\-"}));
  rules.push_back(token(
      {"gitlab-token",
       RC::kSecret,
       S::kHigh,
       0.9,
       {"glrt-", "gldt-", "glptt-", "glft-", "glimt-", "glcbt-", "glsoat-", "gloas-", "glagent-",
        "GR1348941"},
       R"re([^A-Za-z0-9_-]((?:gl(?:rt|dt|ptt|ft|imt|cbt|soat|oas|agent)-|GR1348941)[A-Za-z0-9_-]{20,300})[^A-Za-z0-9_-])re",
       301,
       kB64Url}));
  rules.push_back(
      token({"openai-api-key",
             RC::kSecret,
             S::kCritical,
             0.95,
             {"sk-proj-", "sk-svcacct-", "sk-admin-"},
             R"re([^A-Za-z0-9_-](sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200})[^A-Za-z0-9_-])re",
             201,
             kB64Url}));
  Rule legacy =
      token({"openai-legacy-key",
             RC::kSecret,
             S::kCritical,
             0.99,
             {"T3BlbkFJ"},
             R"re([^A-Za-z0-9_-](sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})[^A-Za-z0-9_-])re",
             21,
             kB62});
  legacy.before_bytes = 23;  // "sk-" + 20 characters precede the marker
  legacy.lead_chars = "A-Za-z0-9\\-";
  rules.push_back(std::move(legacy));
  rules.push_back(token(
      {"anthropic-api-key",
       RC::kSecret,
       S::kCritical,
       0.99,
       {"sk-ant-api", "sk-ant-admin"},
       R"re([^A-Za-z0-9_-](sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,128})[^A-Za-z0-9_-])re",
       140,
       kB64Url}));
  rules.push_back(
      token({"anthropic-oauth-token",
             RC::kSecret,
             S::kCritical,
             0.99,
             {"sk-ant-oat", "sk-ant-ort"},
             R"re([^A-Za-z0-9_-](sk-ant-o[ar]t[0-9]{2}-[A-Za-z0-9_-]{80,128})[^A-Za-z0-9_-])re",
             140,
             kB64Url}));
  rules.push_back(token({"google-api-key",
                         RC::kSecret,
                         S::kHigh,
                         0.95,
                         {"AIza"},
                         R"re([^A-Za-z0-9_-](AIza[0-9A-Za-z_-]{35})[^A-Za-z0-9_-])re",
                         36,
                         kB64Url}));
  rules.push_back(token({"google-oauth-client-secret",
                         RC::kSecret,
                         S::kHigh,
                         0.95,
                         {"GOCSPX-"},
                         R"re([^A-Za-z0-9_-](GOCSPX-[A-Za-z0-9_-]{28})[^A-Za-z0-9_-])re",
                         29,
                         kB64Url}));
  rules.push_back(token({"google-oauth-token",
                         RC::kSecret,
                         S::kHigh,
                         0.9,
                         {"ya29."},
                         R"re([^A-Za-z0-9_-](ya29\.[0-9A-Za-z_-]{20,512})[^A-Za-z0-9_-])re",
                         513,
                         kB64Url}));
  rules.push_back(token(
      {"slack-token",
       RC::kSecret,
       S::kHigh,
       0.95,
       {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxo-", "xoxs-", "xoxe-", "xoxe.", "xapp-"},
       R"re([^A-Za-z0-9_-]((?:xox[bparos]-|xoxe[-.]|xapp-)[A-Za-z0-9.-]{20,250})[^A-Za-z0-9_-])re",
       251,
       "A-Za-z0-9.\\-"}));
  Rule hook = token(
      {"slack-webhook",
       RC::kSecret,
       S::kHigh,
       0.95,
       {"hooks.slack.com/"},
       R"re((https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,200}))re",
       220,
       "A-Za-z0-9_/\\-"});
  hook.before_bytes = 8;  // "https://"
  hook.lead_chars = "a-z:/";
  rules.push_back(std::move(hook));
  rules.push_back(
      token({"stripe-secret-key",
             RC::kSecret,
             S::kCritical,
             0.95,
             {"sk_live_", "sk_test_", "rk_live_", "rk_test_"},
             R"re([^A-Za-z0-9_]([sr]k_(?:live|test)_[0-9A-Za-z]{24,247})[^A-Za-z0-9_])re",
             248,
             kB62}));
  rules.push_back(token({"stripe-webhook-secret",
                         RC::kSecret,
                         S::kHigh,
                         0.95,
                         {"whsec_"},
                         R"re([^A-Za-z0-9_](whsec_[A-Za-z0-9+/=]{32,100})[^A-Za-z0-9_+/=])re",
                         101,
                         "A-Za-z0-9+/="}));
  rules.push_back(token({"twilio-api-key",
                         RC::kSecret,
                         S::kHigh,
                         0.85,
                         {"SK"},
                         R"re([^A-Za-z0-9_](SK[0-9a-fA-F]{32})[^A-Za-z0-9_])re",
                         33,
                         "0-9a-fA-F"}));
  rules.push_back(
      token({"sendgrid-api-key",
             RC::kSecret,
             S::kHigh,
             0.95,
             {"SG."},
             R"re([^A-Za-z0-9_](SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})[^A-Za-z0-9_-])re",
             67,
             "A-Za-z0-9_.\\-"}));
  Rule npm = token({"npm-token",
                    RC::kSecret,
                    S::kCritical,
                    0.99,
                    {"npm_"},
                    R"re([^A-Za-z0-9_](npm_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  npm.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(npm));
  rules.push_back(
      token({"pypi-token",
             RC::kSecret,
             S::kCritical,
             0.99,
             {"pypi-AgE"},
             R"re((pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,400}))re",
             420,
             kB64Url}));
  rules.push_back(token({"vault-token",
                         RC::kSecret,
                         S::kCritical,
                         0.9,
                         {"hvs.", "hvb.", "hvr."},
                         R"re([^A-Za-z0-9_.-](hv[sbr]\.[A-Za-z0-9_-]{24,400})[^A-Za-z0-9_-])re",
                         401,
                         kB64Url}));
  Rule hf = token({"huggingface-token",
                   RC::kSecret,
                   S::kHigh,
                   0.9,
                   {"hf_"},
                   R"re([^A-Za-z0-9_](hf_[A-Za-z0-9]{34})[^A-Za-z0-9_])re",
                   35,
                   kB62});
  hf.min_entropy = 3.0;
  rules.push_back(std::move(hf));
  Rule jwt = token(
      {"jwt",
       RC::kSecret,
       S::kHigh,
       0.85,
       {"eyJ"},
       R"re([^A-Za-z0-9_-](eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)[^A-Za-z0-9_-])re",
       8192,
       "A-Za-z0-9_.\\-"});
  jwt.validator = Validator::kJwt;
  jwt.redact_truncated = false;  // "eyJ" alone is any base64 of a JSON object
  rules.push_back(std::move(jwt));
  Rule pem = token(
      {"private-key",
       RC::kSecret,
       S::kCritical,
       0.99,
       {"-----BEGIN "},
       R"re((-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]*)))re",
       16384,
       "A-Za-z0-9+/=\r\n \t\\\\:,.\\-"});
  pem.end_marker = "-----END ";
  pem.redact_truncated = false;  // the regex's second branch already covers a cut-off body
  pem.skip_placeholders = false;
  rules.push_back(std::move(pem));
  Rule azure = token({"azure-storage-key",
                      RC::kSecret,
                      S::kCritical,
                      0.95,
                      {"AccountKey="},
                      R"re(AccountKey=([A-Za-z0-9+/]{86}==))re",
                      90,
                      "A-Za-z0-9+/="});
  azure.hold = HoldFrom::kKeywordEnd;
  azure.keywords_caseless = true;
  azure.redact_truncated = false;
  rules.push_back(std::move(azure));
  Rule entra = token(
      {"azure-ad-client-secret",
       RC::kSecret,
       S::kHigh,
       0.85,
       {"Q~"},
       R"re([^A-Za-z0-9_~.-]([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})[^A-Za-z0-9_~.-])re",
       35,
       "A-Za-z0-9_~.\\-"});
  entra.before_bytes = 4;
  entra.lead_chars = "A-Za-z0-9_~.\\-";
  entra.redact_truncated = false;
  rules.push_back(std::move(entra));
}

void addCredentials(std::vector<Rule>& rules) {
  using RC = RuleClass;
  using S = Severity;
  rules.push_back(assignment(
      {"aws-secret-access-key",
       RC::kSecret,
       S::kCritical,
       0.9,
       {"aws_secret", "aws-secret", "awssecret", "secretaccesskey", "secret_access_key",
        "secret_accesskey", "secretaccess_key"},
       R"re((?i:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret_?access_?key)[A-Za-z0-9_]{0,10}\\?["']?\s{0,5}(?:=|:|=>|:=)\s{0,5}\\?["']?([A-Za-z0-9/+]{40})[^A-Za-z0-9/+])re",
       80,
       kAnyButNewline}));
  rules.push_back(
      assignment({"bearer-token",
                  RC::kCredential,
                  S::kHigh,
                  0.85,
                  {"bearer"},
                  R"re((?i:bearer)\s{1,5}([A-Za-z0-9._~+/=-]{16,})[^A-Za-z0-9._~+/=-])re",
                  4110,
                  "^\r\n\"'"}));
  rules.push_back(assignment(
      {"authorization-header",
       RC::kCredential,
       S::kHigh,
       0.85,
       {"authorization"},
       R"re((?i:authorization)\\?["']?\s{0,3}[:=]\s{0,3}\\?["']?(?:(?i:basic|bearer|token|digest|apikey|api-key)\s+)?([^\s"',;\\]{8,}))re",
       4200,
       kAnyButNewline}));
  rules.push_back(assignment(
      {"api-key-header",
       RC::kCredential,
       S::kHigh,
       0.85,
       {"x-api-key", "private-token", "x-auth-token"},
       R"re((?i:x-api-key|private-token|x-auth-token)\\?["']?\s{0,3}:\s{0,3}\\?["']?([^\s"',;\\]{8,}))re",
       1100,
       kAnyButNewline}));
  Rule url = assignment(
      {"url-credentials",
       RC::kCredential,
       S::kHigh,
       0.9,
       {"://"},
       R"re([A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s/:@"'<>]{1,128}:([^\s/@"'<>]{1,256})@[A-Za-z0-9\[.-])re",
       400,
       "^\r\n\t \"'<>"});
  url.before_bytes = 21;  // the scheme is context for the regex, never redacted
  rules.push_back(std::move(url));
  rules.push_back(assignment(
      {"password-assignment",
       RC::kCredential,
       S::kHigh,
       0.75,
       {"password", "passwd", "pwd", "passphrase"},
       R"re((?i:password|passwd|pwd|passphrase)[A-Za-z0-9_.-]{0,20}\\?["']?\s{0,3}(?:=|:=|=>|:)\s{0,3}\\?["']?([^\s"'<>;,&\\]{4,128}))re",
       180,
       kAnyButNewline}));
  Rule generic = assignment(
      {"generic-secret-assignment",
       RC::kCredential,
       S::kMedium,
       0.7,
       {"secret", "token", "apikey", "api_key", "api-key", "accesskey", "access_key", "access-key",
        "privatekey", "private_key", "private-key", "authkey", "auth_key", "auth-key"},
       R"re((?i:secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key)[A-Za-z0-9_.-]{0,20}\\?["']?\s{0,3}(?:=|:=|=>|:)\s{0,3}\\?["']?([A-Za-z0-9+/=_.~-]{16,256})[^A-Za-z0-9+/=_.~-])re",
       300,
       kAnyButNewline});
  generic.min_entropy = 3.5;
  rules.push_back(std::move(generic));
}

void addPii(std::vector<Rule>& rules) {
  Rule email;
  email.id = "email";
  email.rule_class = RuleClass::kPii;
  email.severity = Severity::kMedium;
  email.confidence = 0.8;
  // A trigger must be a necessary condition of the confirm regex, so that however the input
  // is chunked, the candidate of the trigger inside a match holds that match. The trigger is
  // the literal '@': Vectorscan 5.4.9 in stream mode misses about 8% of matches of
  // class-led regexes such as "@[a-z]" (tests/redact/stream_redactor_test.cc keeps literals
  // honest at every offset), so built-in triggers are literals or the digit scanner.
  email.keywords = {"@"};
  email.before_bytes = 65;  // 64 local-part bytes + the boundary byte
  email.lead_chars = "A-Za-z0-9._%+@\\-";
  // A ':' before the local part is a URL's user:password@host, not an address.
  email.regex =
      R"re([^A-Za-z0-9._%+:-]([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24})[^A-Za-z0-9-])re";
  email.after_bytes = 254;
  email.continue_chars = "A-Za-z0-9.\\-";
  email.validator = Validator::kEmail;
  email.skip_placeholders = false;
  rules.push_back(std::move(email));

  Rule card;
  card.id = "credit-card";
  card.rule_class = RuleClass::kPii;
  card.severity = Severity::kHigh;
  card.confidence = 0.8;
  card.digit_shape = DigitShape::kCardNumber;  // necessary for the regex below
  card.before_bytes = 23;
  card.lead_chars = "0-9 \\-";
  card.regex =
      R"re([^0-9A-Za-z_.-]([0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7})[^0-9A-Za-z_-])re";
  card.after_bytes = 8;
  card.continue_chars = "0-9 \\-";
  card.validator = Validator::kLuhn;
  card.skip_placeholders = false;
  rules.push_back(std::move(card));

  Rule ssn;
  ssn.id = "us-ssn";
  ssn.rule_class = RuleClass::kPii;
  ssn.severity = Severity::kHigh;
  ssn.confidence = 0.7;
  ssn.digit_shape = DigitShape::kSsn;
  ssn.before_bytes = 11;
  ssn.lead_chars = "0-9\\-";
  ssn.regex = R"re([^0-9A-Za-z_-]([0-9]{3}-[0-9]{2}-[0-9]{4})[^0-9A-Za-z_-])re";
  ssn.after_bytes = 2;
  ssn.continue_chars = "0-9\\-";
  ssn.validator = Validator::kSsn;
  ssn.skip_placeholders = false;
  rules.push_back(std::move(ssn));
}

}  // namespace

std::vector<Rule> builtinRules() {
  std::vector<Rule> rules;
  addSecretTokens(rules);
  addCredentials(rules);
  addPii(rules);
  return rules;
}

}  // namespace agentbox::redact
