// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_cloud.cc
// Cloud and infrastructure providers: AWS, Google Cloud, Azure, and hosting platforms.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addAws(std::vector<Rule>& rules) {
  Rule aws = token({"aws-access-key-id",
                    RuleClass::kSecret,
                    Severity::kHigh,
                    0.9,
                    {"AKIA", "ASIA", "ABIA", "ACCA"},
                    R"re([^A-Za-z0-9]((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})[^A-Za-z0-9])re",
                    17,
                    kB62});
  aws.name = "AWS access key ID";
  aws.allow = {"AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"};
  rules.push_back(std::move(aws));
  Rule secret = assignment(
      {"aws-secret-access-key",
       RuleClass::kSecret,
       Severity::kCritical,
       0.9,
       {"aws_secret", "aws-secret", "awssecret", "secretaccesskey", "secret_access_key",
        "secret_accesskey", "secretaccess_key"},
       R"re((?i:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret_?access_?key)[A-Za-z0-9_]{0,10}\\?["']?\s{0,5}(?:=|:|=>|:=)\s{0,5}\\?["']?([A-Za-z0-9/+]{40})[^A-Za-z0-9/+])re",
       80,
       kAnyButNewline});
  secret.name = "AWS secret access key";
  rules.push_back(std::move(secret));
  Rule session = contextual({"aws-session-token",
                             "AWS session token",
                             {"session_token", "sessiontoken", "session-token"},
                             "(?:aws[_-]?)?session[_-]?token",
                             "[A-Za-z0-9/+=]{100,}",
                             "A-Za-z0-9/+="});
  session.after_bytes = 1300;
  rules.push_back(std::move(session));
  rules.push_back(prefixed({"aws-bedrock-api-key",
                            "AWS Bedrock API key",
                            {"ABSK"},
                            "ABSK[A-Za-z0-9+/]{109,269}={0,2}",
                            272,
                            "A-Za-z0-9+/="}));
}

void addGoogle(std::vector<Rule>& rules) {
  Rule api = token({"google-api-key",
                    RuleClass::kSecret,
                    Severity::kHigh,
                    0.95,
                    {"AIza"},
                    R"re([^A-Za-z0-9_-](AIza[0-9A-Za-z_-]{35})[^A-Za-z0-9_-])re",
                    36,
                    kB64Url});
  api.name = "Google API key (Maps, Firebase, Gemini)";
  rules.push_back(std::move(api));
  Rule client = token({"google-oauth-client-secret",
                       RuleClass::kSecret,
                       Severity::kHigh,
                       0.95,
                       {"GOCSPX-"},
                       R"re([^A-Za-z0-9_-](GOCSPX-[A-Za-z0-9_-]{28})[^A-Za-z0-9_-])re",
                       29,
                       kB64Url});
  client.name = "Google OAuth client secret";
  rules.push_back(std::move(client));
  Rule oauth = token({"google-oauth-token",
                      RuleClass::kSecret,
                      Severity::kHigh,
                      0.9,
                      {"ya29."},
                      R"re([^A-Za-z0-9_-](ya29\.[0-9A-Za-z_-]{20,512})[^A-Za-z0-9_-])re",
                      513,
                      kB64Url});
  oauth.name = "Google OAuth access token";
  rules.push_back(std::move(oauth));
  Rule refresh = prefixed({"google-oauth-refresh-token",
                           "Google OAuth refresh token",
                           {"1//0"},
                           "1//0[A-Za-z0-9_-]{60,200}",
                           200,
                           kB64Url});
  refresh.before_bytes = 0;
  rules.push_back(std::move(refresh));
  rules.push_back(contextual({"gcp-private-key-id",
                              "GCP service-account private key id",
                              {"private_key_id"},
                              "\"?private_key_id",
                              "[0-9a-f]{40}",
                              "0-9a-f"}));
}

void addAzure(std::vector<Rule>& rules) {
  Rule azure = token({"azure-storage-key",
                      RuleClass::kSecret,
                      Severity::kCritical,
                      0.95,
                      {"AccountKey="},
                      R"re(AccountKey=([A-Za-z0-9+/]{86}==))re",
                      90,
                      "A-Za-z0-9+/="});
  azure.name = "Azure storage account key";
  azure.hold = HoldFrom::kKeywordEnd;
  azure.keywords_caseless = true;
  azure.redact_truncated = false;
  rules.push_back(std::move(azure));
  Rule sak = token({"azure-shared-access-key",
                    RuleClass::kSecret,
                    Severity::kCritical,
                    0.95,
                    {"SharedAccessKey="},
                    R"re(SharedAccessKey=([A-Za-z0-9+/]{42,43}=))re",
                    46,
                    "A-Za-z0-9+/="});
  sak.name = "Azure Service Bus / Event Hubs shared access key";
  sak.hold = HoldFrom::kKeywordEnd;
  sak.keywords_caseless = true;
  sak.redact_truncated = false;
  rules.push_back(std::move(sak));
  Rule sas = token({"azure-sas-token",
                    RuleClass::kSecret,
                    Severity::kHigh,
                    0.9,
                    {"sig="},
                    R"re([?&;]sig=((?:[A-Za-z0-9+/]|%2[bBfF]){42,43}(?:=|%3[dD])))re",
                    70,
                    "A-Za-z0-9+/=%"});
  sas.name = "Azure shared access signature";
  // The '?', '&' or ';' before "sig=" is the confirm's context byte: no lead bytes to hold.
  sas.hold = HoldFrom::kKeywordEnd;
  sas.redact_truncated = false;
  rules.push_back(std::move(sas));
  Rule entra = token(
      {"azure-ad-client-secret",
       RuleClass::kSecret,
       Severity::kHigh,
       0.85,
       {"Q~"},
       R"re([^A-Za-z0-9_~.-]([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})[^A-Za-z0-9_~.-])re",
       35,
       "A-Za-z0-9_~.\\-"});
  entra.name = "Azure Entra ID client secret";
  entra.before_bytes = 4;
  entra.lead_chars = "A-Za-z0-9_~.\\-";
  entra.redact_truncated = false;
  rules.push_back(std::move(entra));
  rules.push_back(contextual({"azure-devops-pat",
                              "Azure DevOps personal access token",
                              {"devops"},
                              "(?:azure[_-]?)?devops[A-Za-z0-9_-]{0,12}(?:pat|token)",
                              "[a-z0-9]{52}|[A-Za-z0-9]{84}",
                              "A-Za-z0-9"}));
  rules.push_back(contextual({"azure-openai-key",
                              "Azure OpenAI / Cognitive Services key",
                              {"azure_openai", "azure-openai", "cognitive", "ocp-apim"},
                              "(?:azure[_-]?openai|cognitive[_-]?services?|"
                              "ocp-apim-subscription)[A-Za-z0-9_-]{0,12}key",
                              "[0-9a-f]{32}",
                              "0-9a-f"}));
}

void addHosting(std::vector<Rule>& rules) {
  rules.push_back(prefixed({"digitalocean-token",
                            "DigitalOcean token",
                            {"dop_v1_", "doo_v1_", "dor_v1_"},
                            "do[por]_v1_[a-f0-9]{64}",
                            64,
                            "a-f0-9"}));
  rules.push_back(prefixed({"cloudflare-api-token",
                            "Cloudflare API token",
                            {"cfut_", "cfat_", "cfk_"},
                            "cf(?:ut|at|k)_[A-Za-z0-9]{40}[a-f0-9]{8}",
                            48,
                            kB62}));
  rules.push_back(prefixed({"cloudflare-origin-ca-key",
                            "Cloudflare Origin CA key",
                            {"v1.0-"},
                            "v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}",
                            172,
                            "a-f0-9\\-"}));
  rules.push_back(prefixed(
      {"heroku-api-key", "Heroku API key", {"HRKU-AA"}, "HRKU-AA[A-Za-z0-9_-]{58}", 58, kB64Url}));
  rules.push_back(
      prefixed({"flyio-token", "Fly.io token", {"fo1_"}, "fo1_[A-Za-z0-9_-]{43}", 43, kB64Url}));
  rules.push_back(prefixed({"vercel-token",
                            "Vercel token",
                            {"vcp_", "vci_", "vca_", "vcr_", "vck_"},
                            "vc[picrk]_[A-Za-z0-9]{20,60}",
                            60,
                            kB62}));
  rules.push_back(prefixed(
      {"supabase-token", "Supabase access token", {"sbp_"}, "sbp_[a-f0-9]{40}", 40, "a-f0-9"}));
  rules.push_back(prefixed({"planetscale-token",
                            "PlanetScale token or password",
                            {"pscale_tkn_", "pscale_pw_", "pscale_oauth_"},
                            "pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}",
                            64,
                            "A-Za-z0-9_.\\-"}));
  rules.push_back(prefixed(
      {"pulumi-token", "Pulumi access token", {"pul-"}, "pul-[a-f0-9]{40}", 40, "a-f0-9"}));
  Rule tfc = prefixed({"terraform-cloud-token",
                       "Terraform Cloud / Enterprise token",
                       {".atlasv1."},
                       "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_-]{60,70}",
                       70,
                       kB64Url});
  tfc.before_bytes = 14;
  tfc.lead_chars = kB62;
  tfc.continue_chars = kB64Url;
  rules.push_back(std::move(tfc));
  rules.push_back(prefixed({"doppler-token",
                            "Doppler token",
                            {"dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim."},
                            "dp\\.(?:pt|st|sa|ct|scim)\\.[A-Za-z0-9]{40,44}",
                            44,
                            kB62}));
  rules.push_back(
      prefixed({"tailscale-key",
                "Tailscale key",
                {"tskey-"},
                "tskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{20,64}",
                100,
                "A-Za-z0-9\\-"}));
  rules.push_back(prefixed({"alibaba-access-key-id",
                            "Alibaba Cloud AccessKey ID",
                            {"LTAI"},
                            "LTAI[A-Za-z0-9]{20}",
                            20,
                            kB62}));
  rules.push_back(prefixed({"openshift-token",
                            "OpenShift user token",
                            {"sha256~"},
                            "sha256~[A-Za-z0-9_-]{43}",
                            43,
                            kB64Url}));
}

}  // namespace

void addCloudRules(std::vector<Rule>& rules) {
  addAws(rules);
  addGoogle(rules);
  addAzure(rules);
  addHosting(rules);
}

}  // namespace agentbox::redact::detail
