// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_saas.cc
// Payments, messaging and SaaS APIs: Stripe, Twilio, SendGrid, Slack, Discord, Telegram,
// Shopify, Square, Mailgun, Datadog, New Relic, Sentry, HashiCorp Vault and others.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addPaymentsMessaging(std::vector<Rule>& rules) {
  Rule slack = token(
      {"slack-token",
       RuleClass::kSecret,
       Severity::kHigh,
       0.95,
       {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxo-", "xoxs-", "xoxe-", "xoxe.", "xapp-"},
       R"re([^A-Za-z0-9_-]((?:xox[bparos]-|xoxe[-.]|xapp-)[A-Za-z0-9.-]{20,250})[^A-Za-z0-9_-])re",
       251,
       "A-Za-z0-9.\\-"});
  slack.name = "Slack token";
  rules.push_back(std::move(slack));
  Rule hook = token(
      {"slack-webhook",
       RuleClass::kSecret,
       Severity::kHigh,
       0.95,
       {"hooks.slack.com/"},
       R"re((https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,200}))re",
       220,
       "A-Za-z0-9_/\\-"});
  hook.name = "Slack incoming webhook URL";
  hook.before_bytes = 8;  // "https://"
  hook.lead_chars = "a-z:/";
  rules.push_back(std::move(hook));
  Rule stripe = token({"stripe-secret-key",
                       RuleClass::kSecret,
                       Severity::kCritical,
                       0.95,
                       {"sk_live_", "sk_test_", "rk_live_", "rk_test_"},
                       R"re([^A-Za-z0-9_]([sr]k_(?:live|test)_[0-9A-Za-z]{24,247})[^A-Za-z0-9_])re",
                       248,
                       kB62});
  stripe.name = "Stripe secret or restricted key";
  rules.push_back(std::move(stripe));
  Rule whsec = token({"stripe-webhook-secret",
                      RuleClass::kSecret,
                      Severity::kHigh,
                      0.95,
                      {"whsec_"},
                      R"re([^A-Za-z0-9_](whsec_[A-Za-z0-9+/=]{32,100})[^A-Za-z0-9_+/=])re",
                      101,
                      "A-Za-z0-9+/="});
  whsec.name = "Stripe webhook signing secret";
  rules.push_back(std::move(whsec));
  Rule twilio = token({"twilio-api-key",
                       RuleClass::kSecret,
                       Severity::kHigh,
                       0.85,
                       {"SK"},
                       R"re([^A-Za-z0-9_](SK[0-9a-fA-F]{32})[^A-Za-z0-9_])re",
                       33,
                       "0-9a-fA-F"});
  twilio.name = "Twilio API key SID";
  rules.push_back(std::move(twilio));
  rules.push_back(contextual({"twilio-auth-token",
                              "Twilio auth token (by name)",
                              {"twilio"},
                              "twilio[A-Za-z0-9_-]{0,12}(?:token|secret)",
                              "[0-9a-f]{32}",
                              "0-9a-f"}));
  Rule sg = token({"sendgrid-api-key",
                   RuleClass::kSecret,
                   Severity::kHigh,
                   0.95,
                   {"SG."},
                   R"re([^A-Za-z0-9_](SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})[^A-Za-z0-9_-])re",
                   67,
                   "A-Za-z0-9_.\\-"});
  sg.name = "SendGrid API key";
  rules.push_back(std::move(sg));
  Rule discord = token(
      {"discord-webhook",
       RuleClass::kSecret,
       Severity::kHigh,
       0.95,
       {"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"},
       R"re((https?://discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}))re",
       90,
       "A-Za-z0-9_/\\-"});
  discord.name = "Discord webhook URL";
  discord.before_bytes = 8;  // "https://"
  discord.lead_chars = "a-z:/";
  rules.push_back(std::move(discord));
  rules.push_back(contextual({"discord-bot-token",
                              "Discord bot token (by name)",
                              {"discord"},
                              "discord[A-Za-z0-9_-]{0,12}(?:token|secret)",
                              "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}",
                              "A-Za-z0-9_.\\-"}));
  Rule tg = prefixed({"telegram-bot-token",
                      "Telegram bot token",
                      {":AA"},
                      "[0-9]{8,10}:AA[A-Za-z0-9_-]{33}",
                      33,
                      kB64Url});
  tg.before_bytes = 10;
  tg.lead_chars = "0-9";
  rules.push_back(std::move(tg));
  rules.push_back(prefixed({"square-access-token",
                            "Square access token",
                            {"sq0atp-", "EAAA"},
                            "sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60}",
                            60,
                            kB64Url,
                            Severity::kCritical}));
  rules.push_back(prefixed({"square-oauth-secret",
                            "Square OAuth secret",
                            {"sq0csp-"},
                            "sq0csp-[A-Za-z0-9_-]{43}",
                            43,
                            kB64Url,
                            Severity::kCritical}));
  rules.push_back(prefixed({"shopify-token",
                            "Shopify access token or shared secret",
                            {"shpat_", "shpca_", "shppa_", "shpss_"},
                            "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
                            32,
                            "a-fA-F0-9"}));
}

void addObservability(std::vector<Rule>& rules) {
  rules.push_back(
      prefixed({"mailgun-api-key", "Mailgun API key", {"key-"}, "key-[a-f0-9]{32}", 32, "a-f0-9"}));
  Rule chimp = prefixed(
      {"mailchimp-api-key", "Mailchimp API key", {"-us"}, "[a-f0-9]{32}-us[0-9]{1,2}", 2, "0-9"});
  chimp.before_bytes = 32;
  chimp.lead_chars = "a-f0-9";
  rules.push_back(std::move(chimp));
  rules.push_back(contextual({"datadog-api-key",
                              "Datadog API key (by name)",
                              {"datadog", "dd_api_key", "dd-api-key"},
                              "(?:datadog|dd)[_-]?api[_-]?key",
                              "[a-f0-9]{32}",
                              "a-f0-9"}));
  rules.push_back(contextual({"datadog-app-key",
                              "Datadog application key (by name)",
                              {"datadog", "dd_app_key", "dd-app-key", "dd_application_key"},
                              "(?:datadog|dd)[_-]?app(?:lication)?[_-]?key",
                              "[a-f0-9]{40}",
                              "a-f0-9"}));
  rules.push_back(prefixed({"new-relic-key",
                            "New Relic user, ingest or browser key",
                            {"NRAK-", "NRII-", "NRJS-"},
                            "NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19}",
                            32,
                            kB64Url}));
  rules.push_back(
      prefixed({"sentry-token",
                "Sentry user or organisation auth token",
                {"sntryu_", "sntrys_"},
                "sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9_+/=-]{60,400}_[A-Za-z0-9_+/-]{43}",
                420,
                "A-Za-z0-9_+/=\\-"}));
  Rule dsn = token({"sentry-dsn",
                    RuleClass::kSecret,
                    Severity::kMedium,
                    0.9,
                    {"sentry.io/"},
                    R"re(https?://([0-9a-f]{32})@[a-z0-9.-]{0,40}sentry\.io/[0-9]+)re",
                    20,
                    "0-9"});
  dsn.name = "Sentry DSN key";
  dsn.before_bytes = 85;
  dsn.lead_chars = "a-z0-9:/@.\\-";
  dsn.hold = HoldFrom::kMatchStart;
  dsn.redact_truncated = false;
  rules.push_back(std::move(dsn));
  rules.push_back(prefixed({"dynatrace-token",
                            "Dynatrace API token",
                            {"dt0c01."},
                            "dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}",
                            89,
                            "A-Z0-9."}));
  rules.push_back(prefixed({"grafana-token",
                            "Grafana Cloud or service-account token",
                            {"glc_", "glsa_"},
                            "glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}",
                            402,
                            "A-Za-z0-9+/=_"}));
  rules.push_back(prefixed({"grafana-api-key",
                            "Grafana API key (legacy)",
                            {"eyJrIjoi"},
                            "eyJrIjoi[A-Za-z0-9]{60,400}={0,2}",
                            402,
                            "A-Za-z0-9="}));
  rules.push_back(prefixed({"postman-api-key",
                            "Postman API key",
                            {"PMAK-"},
                            "PMAK-[a-f0-9]{24}-[a-f0-9]{34}",
                            59,
                            "a-f0-9\\-"}));
}

void addSaasApis(std::vector<Rule>& rules) {
  Rule vault = token({"vault-token",
                      RuleClass::kSecret,
                      Severity::kCritical,
                      0.9,
                      {"hvs.", "hvb.", "hvr."},
                      R"re([^A-Za-z0-9_.-](hv[sbr]\.[A-Za-z0-9_-]{24,400})[^A-Za-z0-9_-])re",
                      401,
                      kB64Url});
  vault.name = "HashiCorp Vault token";
  rules.push_back(std::move(vault));
  rules.push_back(prefixed(
      {"linear-api-key", "Linear API key", {"lin_api_"}, "lin_api_[A-Za-z0-9]{40}", 40, kB62}));
  rules.push_back(prefixed({"notion-token",
                            "Notion integration token",
                            {"ntn_", "secret_"},
                            "ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43}",
                            46,
                            kB62}));
  rules.push_back(prefixed({"figma-token",
                            "Figma personal access token",
                            {"figd_"},
                            "figd_[A-Za-z0-9_-]{40,64}",
                            64,
                            kB64Url}));
  rules.push_back(prefixed({"dropbox-token",
                            "Dropbox access token",
                            {"sl."},
                            "sl\\.[A-Za-z0-9_-]{130,152}",
                            152,
                            kB64Url}));
  Rule twitter = prefixed({"twitter-bearer-token",
                           "X / Twitter app bearer token",
                           {"AAAAAAAAAAAAAAAAAAAAA"},
                           "A{22}[A-Za-z0-9%]{80,100}",
                           102,
                           "A-Za-z0-9%"});
  // The body is URL-encoded, so "%s" or "%d" occur by chance and are no printf placeholder;
  // the run of 22 'A' is anchor enough, and the entropy floor still rejects all-'A' fillers.
  twitter.skip_placeholders = false;
  twitter.min_entropy = 3.0;
  rules.push_back(std::move(twitter));
  rules.push_back(prefixed({"facebook-access-token",
                            "Meta / Facebook access token",
                            {"EAAC", "EAAG", "EAAM"},
                            "EAA[CGM][A-Za-z0-9]{100,250}",
                            250,
                            kB62}));
  rules.push_back(
      prefixed({"hubspot-token",
                "HubSpot private app token",
                {"pat-na1-", "pat-eu1-"},
                "pat-(?:na|eu)1-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
                36,
                "a-f0-9\\-"}));
  rules.push_back(prefixed({"mapbox-secret-token",
                            "Mapbox secret token",
                            {"sk.eyJ"},
                            "sk\\.eyJ[A-Za-z0-9_-]{50,200}\\.[A-Za-z0-9_-]{20,40}",
                            250,
                            "A-Za-z0-9_.\\-"}));
  rules.push_back(prefixed({"shippo-token",
                            "Shippo API token",
                            {"shippo_live_", "shippo_test_"},
                            "shippo_(?:live|test)_[a-f0-9]{40}",
                            40,
                            "a-f0-9"}));
  rules.push_back(prefixed({"easypost-api-key",
                            "EasyPost API key",
                            {"EZAK", "EZTK"},
                            "EZ[AT]K[A-Za-z0-9]{54}",
                            54,
                            kB62}));
  rules.push_back(prefixed({"flutterwave-secret-key",
                            "Flutterwave secret key",
                            {"FLWSECK_TEST-", "FLWSECK-"},
                            "FLWSECK(?:_TEST)?-[a-f0-9]{32}-X",
                            34,
                            "a-fX0-9\\-"}));
  rules.push_back(prefixed({"duffel-token",
                            "Duffel API token",
                            {"duffel_test_", "duffel_live_"},
                            "duffel_(?:test|live)_[A-Za-z0-9_-]{43}",
                            43,
                            kB64Url}));
  rules.push_back(
      prefixed({"readme-api-key", "ReadMe API key", {"rdme_"}, "rdme_[a-z0-9]{70}", 70, "a-z0-9"}));
  rules.push_back(prefixed({"scalingo-token",
                            "Scalingo API token",
                            {"tk-us-"},
                            "tk-us-[A-Za-z0-9_-]{48}",
                            48,
                            kB64Url}));
  rules.push_back(prefixed(
      {"infracost-api-key", "Infracost API key", {"ico-"}, "ico-[A-Za-z0-9]{32}", 32, kB62}));
  rules.push_back(prefixed(
      {"adobe-client-secret", "Adobe client secret", {"p8e-"}, "p8e-[A-Za-z0-9]{32}", 32, kB62}));
  rules.push_back(prefixed({"frameio-token",
                            "Frame.io API token",
                            {"fio-u-"},
                            "fio-u-[A-Za-z0-9_=-]{64}",
                            64,
                            "A-Za-z0-9_=\\-"}));
  rules.push_back(prefixed({"onepassword-service-token",
                            "1Password service account token",
                            {"ops_eyJ"},
                            "ops_eyJ[A-Za-z0-9+/=_-]{250,}",
                            1200,
                            "A-Za-z0-9+/=_\\-"}));
  rules.push_back(prefixed({"onepassword-secret-key",
                            "1Password account secret key",
                            {"A3-"},
                            "A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}-)?[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
                            32,
                            "A-Z0-9\\-",
                            Severity::kCritical}));
}

}  // namespace

void addSaasRules(std::vector<Rule>& rules) {
  addPaymentsMessaging(rules);
  addObservability(rules);
  addSaasApis(rules);
}

}  // namespace agentbox::redact::detail
