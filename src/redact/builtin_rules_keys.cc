// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_keys.cc
// Key material and structured tokens: PEM/OpenSSH/PGP private key blocks (multi-line), their
// base64-wrapped form, PuTTY and age keys, JWTs, Kubernetes secrets and kubeconfig tokens.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addPrivateKeys(std::vector<Rule>& rules) {
  Rule pem = token(
      {"private-key",
       RuleClass::kSecret,
       Severity::kCritical,
       0.99,
       {"-----BEGIN "},
       R"re((-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]*)))re",
       16384,
       "A-Za-z0-9+/=\r\n \t\\\\:,.\\-"});
  pem.name = "Private key block (PEM, OpenSSH, PGP)";
  pem.end_marker = "-----END ";
  pem.redact_truncated = false;  // the regex's second branch already covers a cut-off body
  pem.skip_placeholders = false;
  rules.push_back(std::move(pem));
  Rule b64 = prefixed({"private-key-base64",
                       "Base64-wrapped PEM private key (kubeconfig client-key-data)",
                       {"LS0tLS1CRUdJTi"},
                       "LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2}",
                       12000,
                       "A-Za-z0-9+/="});
  b64.validator = Validator::kBase64PrivateKey;
  b64.severity = Severity::kCritical;
  b64.redact_truncated = false;
  rules.push_back(std::move(b64));
  Rule putty = token({"putty-private-key",
                      RuleClass::kSecret,
                      Severity::kCritical,
                      0.99,
                      {"PuTTY-User-Key-File-"},
                      R"re((PuTTY-User-Key-File-[23]: [\s\S]*?Private-MAC: [0-9a-f]{40,64}))re",
                      8192,
                      "^"});
  putty.name = "PuTTY private key file";
  putty.continue_chars = "\t\n\r -~";
  putty.skip_placeholders = false;
  rules.push_back(std::move(putty));
  Rule age = prefixed({"age-secret-key",
                       "age secret key",
                       {"AGE-SECRET-KEY-1"},
                       "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
                       58,
                       "A-Z0-9",
                       Severity::kCritical});
  rules.push_back(std::move(age));
}

void addJwtKubernetes(std::vector<Rule>& rules) {
  Rule jwt = token(
      {"jwt",
       RuleClass::kSecret,
       Severity::kHigh,
       0.85,
       {"eyJ"},
       R"re([^A-Za-z0-9_-](eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)[^A-Za-z0-9_-])re",
       8192,
       "A-Za-z0-9_.\\-"});
  jwt.name = "JSON Web Token (header and payload checked)";
  jwt.validator = Validator::kJwt;
  jwt.redact_truncated = false;  // "eyJ" alone is any base64 of a JSON object
  rules.push_back(std::move(jwt));
  Rule k8s = token(
      {"kubernetes-secret",
       RuleClass::kSecret,
       Severity::kHigh,
       0.85,
       {"kind: Secret", "\"kind\": \"Secret\"", "\"kind\":\"Secret\""},
       R"re(kind"?:\s?"?Secret[\s\S]*?(?:[\s"{,]|\\n)(?:data|stringData)"?:(?:\s|\\[nrt])*\{?(?:\s|\\[nrt])*\\?"?[A-Za-z0-9_.-]+\\?"?:\s*\\?"?([A-Za-z0-9+/=._-]{4,}))re",
       4096,
       "^"});
  k8s.name = "Kubernetes Secret data value";
  k8s.continue_chars = "\t\n\r -~";
  k8s.hold = HoldFrom::kKeywordEnd;
  k8s.redact_truncated = false;
  rules.push_back(std::move(k8s));
  Rule kubeconfig = assignment(
      {"kubeconfig-token",
       RuleClass::kSecret,
       Severity::kHigh,
       0.9,
       {"token:", "client-key-data:", "auth-provider"},
       R"re((?:^|\s|")(?:token|client-key-data|id-token|refresh-token|access-token)"?:\s{0,3}"?([A-Za-z0-9+/=._~-]{20,}))re",
       8200,
       kAnyButNewline});
  kubeconfig.name = "kubeconfig user token or client key";
  kubeconfig.keywords = {"token:", "client-key-data:"};
  kubeconfig.min_entropy = 3.5;
  rules.push_back(std::move(kubeconfig));
  Rule boot = assignment({"kubernetes-bootstrap-token",
                          RuleClass::kSecret,
                          Severity::kHigh,
                          0.95,
                          {"--token"},
                          R"re(--token[ =]([a-z0-9]{6}\.[a-z0-9]{16})[^a-z0-9.])re",
                          30,
                          kAnyButNewline});
  boot.name = "Kubernetes bootstrap token (kubeadm --token)";
  boot.keywords_caseless = false;
  rules.push_back(std::move(boot));
}

}  // namespace

void addKeyRules(std::vector<Rule>& rules) {
  addPrivateKeys(rules);
  addJwtKubernetes(rules);
}

}  // namespace agentbox::redact::detail
