// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_credentials.cc
// Credentials found by their context: auth headers, passwords in URLs (databases, brokers,
// basic auth), password assignments, .netrc lines, curl -u, and generic secret assignments.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addHeaders(std::vector<Rule>& rules) {
  using RC = RuleClass;
  using S = Severity;
  Rule bearer = assignment({"bearer-token",
                            RC::kCredential,
                            S::kHigh,
                            0.85,
                            {"bearer"},
                            R"re((?i:bearer)\s{1,5}([A-Za-z0-9._~+/=-]{16,})[^A-Za-z0-9._~+/=-])re",
                            4110,
                            "^\r\n\"'"});
  bearer.name = "Bearer token";
  rules.push_back(std::move(bearer));
  Rule authz = assignment(
      {"authorization-header",
       RC::kCredential,
       S::kHigh,
       0.85,
       {"authorization"},
       R"re((?i:authorization)\\?["']?\s{0,3}[:=]\s{0,3}\\?["']?(?:(?i:basic|bearer|token|digest|apikey|api-key|bot|sso-key)\s+)?([^\s"',;\\]{8,}))re",
       4200,
       kAnyButNewline});
  authz.name = "Authorization header value";
  rules.push_back(std::move(authz));
  Rule apikey = assignment(
      {"api-key-header",
       RC::kCredential,
       S::kHigh,
       0.85,
       {"x-api-key", "private-token", "x-auth-token"},
       R"re((?i:x-api-key|private-token|x-auth-token)\\?["']?\s{0,3}:\s{0,3}\\?["']?([^\s"',;\\]{8,}))re",
       1100,
       kAnyButNewline});
  apikey.name = "API key header (X-Api-Key, PRIVATE-TOKEN, X-Auth-Token)";
  rules.push_back(std::move(apikey));
}

void addUrls(std::vector<Rule>& rules) {
  Rule url = assignment(
      {"url-credentials",
       RuleClass::kCredential,
       Severity::kHigh,
       0.9,
       {"://"},
       R"re([A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s/:@"'<>]{1,128}:([^\s/@"'<>]{1,256})@[A-Za-z0-9\[.-][A-Za-z0-9\[\].-]{0,252})re",
       400,
       "^\r\n\t \"'<>"});
  url.name = "Password in a URL (basic auth)";
  url.before_bytes = 21;  // the scheme is context for the regex, never redacted
  url.validator = Validator::kUrlPassword;
  rules.push_back(std::move(url));
  Rule db = assignment(
      {"database-url-password",
       RuleClass::kCredential,
       Severity::kCritical,
       0.95,
       {"postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://", "mongodb+srv://",
        "redis://", "rediss://", "amqp://", "amqps://", "mssql://", "sqlserver://", "clickhouse://",
        "cockroachdb://", "nats://", "kafka://", "couchdb://", "neo4j://"},
       R"re((?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|nats|kafka|couchdb|neo4j)://[^\s/:@"'<>]{0,128}:([^\s/@"'<>]{1,256})@[A-Za-z0-9\[.-][A-Za-z0-9\[\].-]{0,252})re",
       400,
       "^\r\n\t \"'<>"});
  db.name = "Database or message-broker URL with a password";
  db.validator = Validator::kUrlPassword;
  rules.push_back(std::move(db));
  Rule jdbc =
      assignment({"jdbc-password",
                  RuleClass::kCredential,
                  Severity::kCritical,
                  0.9,
                  {"jdbc:"},
                  R"re(jdbc:[^\s"'<>]{0,300}?[?&;](?i:password|pwd)=([^\s&;"'<>]{1,128}))re",
                  420,
                  "^\r\n\t \"'<>"});
  jdbc.name = "JDBC URL password parameter";
  jdbc.validator = Validator::kNotCode;
  rules.push_back(std::move(jdbc));
}

void addPasswords(std::vector<Rule>& rules) {
  // Two forms, each with its own group: `=`, `:=`, `=>` take any value; a YAML/JSON-style
  // `:` value must end the line (or the quoted string, or a list item), so that shell
  // messages such as "/etc/passwd: Read-only file system" or "passwd: Authentication token
  // manipulation error" are not passwords. A keyword that is a path component is not one
  // (the context byte before the window is the byte before the keyword).
  Rule pw = assignment(
      {"password-assignment",
       RuleClass::kCredential,
       Severity::kHigh,
       0.75,
       {"password", "passwd", "pwd", "passphrase"},
       R"re([^/](?i:password|passwd|pwd|passphrase)[A-Za-z0-9_.-]{0,20}\\?["']?\s{0,3}(?:(?:=|:=|=>)\s{0,3}\\?["']?([^\s"'<>;,&\\]{4,128})|:\s{0,3}\\?["']?([^\s"'<>;,&\\/][^\s"'<>;,&\\]{3,127})(?:\\?["']|[ \t]*(?:[,;}\]\r\n]|$|#)|\\[nr])))re",
       180,
       kAnyButNewline});
  pw.name = "Password assignment (config, env, YAML, JSON)";
  pw.validator = Validator::kNotCode;
  rules.push_back(std::move(pw));
  Rule netrc = assignment(
      {"netrc-password",
       RuleClass::kCredential,
       Severity::kHigh,
       0.9,
       {"machine"},
       R"re((?:[^A-Za-z0-9_]|[nrt])machine(?:\s|\\[nrt])+[^\s\\]+(?:\s|\\[nrt])+(?:login(?:\s|\\[nrt])+[^\s\\]+(?:\s|\\[nrt])+)?password[ \t]+([^\s"\\]{1,128}))re",
       400,
       kAnyButNewline});
  netrc.name = ".netrc password";
  netrc.validator = Validator::kNotCode;
  netrc.keywords_caseless = false;
  netrc.continue_chars = "\t\n\r -~";
  rules.push_back(std::move(netrc));
  Rule curl = assignment({"curl-user-password",
                          RuleClass::kCredential,
                          Severity::kHigh,
                          0.9,
                          {" -u ", " --user ", " --user="},
                          R"re(\s(?:-u|--user)[ =]['"]?[^\s:'"]{1,64}:([^\s'"]{3,128}))re",
                          200,
                          kAnyButNewline});
  curl.name = "curl -u user:password";
  curl.validator = Validator::kNotCode;
  curl.keywords_caseless = false;
  rules.push_back(std::move(curl));
}

void addGeneric(std::vector<Rule>& rules) {
  Rule generic = assignment(
      {"generic-secret-assignment",
       RuleClass::kCredential,
       Severity::kMedium,
       0.7,
       {"secret", "token", "apikey", "api_key", "api-key", "accesskey", "access_key", "access-key",
        "privatekey", "private_key", "private-key", "authkey", "auth_key", "auth-key",
        "client_secret", "credential"},
       R"re((?i:secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credential)[A-Za-z0-9_.-]{0,20}\\?["']?\s{0,3}(?:=|:=|=>|:)\s{0,3}\\?["']?([A-Za-z0-9+/=_.~-]{16,256})[^A-Za-z0-9+/=_.~-])re",
       300,
       kAnyButNewline});
  generic.name = "High-entropy value assigned to a secret-looking name";
  generic.min_entropy = 3.5;
  generic.validator = Validator::kGenericSecret;
  generic.allow = {"RootManageSharedAccessKey"};  // Azure's default SAS policy name
  rules.push_back(std::move(generic));
}

}  // namespace

void addCredentialRules(std::vector<Rule>& rules) {
  addHeaders(rules);
  addUrls(rules);
  addPasswords(rules);
  addGeneric(rules);
}

}  // namespace agentbox::redact::detail
