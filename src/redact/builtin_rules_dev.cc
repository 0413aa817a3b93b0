// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_dev.cc
// Source hosting, CI and package registries: GitHub, GitLab, Bitbucket, npm, PyPI, Docker Hub,
// CircleCI, Travis and others.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addGithubGitlab(std::vector<Rule>& rules) {
  Rule ghp = token({"github-pat",
                    RuleClass::kSecret,
                    Severity::kCritical,
                    0.99,
                    {"ghp_"},
                    R"re([^A-Za-z0-9_](ghp_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  ghp.name = "GitHub personal access token (classic)";
  ghp.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(ghp));
  Rule gho = token({"github-token",
                    RuleClass::kSecret,
                    Severity::kCritical,
                    0.99,
                    {"gho_", "ghu_", "ghs_", "ghr_"},
                    R"re([^A-Za-z0-9_](gh[ousr]_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  gho.name = "GitHub OAuth, app or refresh token";
  gho.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(gho));
  Rule fine =
      token({"github-fine-grained-pat",
             RuleClass::kSecret,
             Severity::kCritical,
             0.99,
             {"github_pat_"},
             R"re([^A-Za-z0-9_](github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})[^A-Za-z0-9_])re",
             83,
             "A-Za-z0-9_"});
  fine.name = "GitHub fine-grained personal access token";
  rules.push_back(std::move(fine));
  Rule glpat = token(
      {"gitlab-pat",
       RuleClass::kSecret,
       Severity::kCritical,
       0.95,
       {"glpat-"},
       R"re([^A-Za-z0-9_-](glpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)[^A-Za-z0-9_-])re",
       330,
       "A-Za-z0-9_.\\-"});
  glpat.name = "GitLab personal access token";
  rules.push_back(std::move(glpat));
  Rule gl = token(
      {"gitlab-token",
       RuleClass::kSecret,
       Severity::kHigh,
       0.9,
       {"glrt-", "gldt-", "glptt-", "glft-", "glimt-", "glcbt-", "glsoat-", "gloas-", "glagent-",
        "GR1348941"},
       R"re([^A-Za-z0-9_-]((?:gl(?:rt|dt|ptt|ft|imt|cbt|soat|oas|agent)-|GR1348941)[A-Za-z0-9_-]{20,300})[^A-Za-z0-9_-])re",
       301,
       kB64Url});
  gl.name = "GitLab runner, deploy, CI or other token";
  rules.push_back(std::move(gl));
}

void addRegistries(std::vector<Rule>& rules) {
  Rule npm = token({"npm-token",
                    RuleClass::kSecret,
                    Severity::kCritical,
                    0.99,
                    {"npm_"},
                    R"re([^A-Za-z0-9_](npm_[A-Za-z0-9]{36})[^A-Za-z0-9_])re",
                    37,
                    kB62});
  npm.name = "npm access token";
  npm.validator = Validator::kGithubChecksum;
  rules.push_back(std::move(npm));
  Rule npmrc = assignment({"npmrc-auth",
                           RuleClass::kCredential,
                           Severity::kHigh,
                           0.9,
                           {"_authToken", "_auth", "_password"},
                           R"re([:\s]_(?:authToken|auth|password)=["']?([^\s"'$]{8,512}))re",
                           520,
                           kAnyButNewline});
  npmrc.keywords_caseless = false;
  npmrc.name = ".npmrc _authToken / _auth / _password";
  npmrc.validator = Validator::kNotCode;
  rules.push_back(std::move(npmrc));
  Rule pypi = token({"pypi-token",
                     RuleClass::kSecret,
                     Severity::kCritical,
                     0.99,
                     {"pypi-AgE"},
                     R"re((pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,400}))re",
                     420,
                     kB64Url});
  pypi.name = "PyPI API token";
  rules.push_back(std::move(pypi));
  rules.push_back(prefixed({"docker-hub-token",
                            "Docker Hub personal or organisation access token",
                            {"dckr_pat_", "dckr_oat_"},
                            "dckr_(?:pat_[A-Za-z0-9_-]{27}|oat_[A-Za-z0-9_-]{32})",
                            32,
                            kB64Url}));
  Rule docker = assignment({"docker-config-auth",
                            RuleClass::kCredential,
                            Severity::kHigh,
                            0.9,
                            {"\"auth\""},
                            R"re("auth"\s{0,3}:\s{0,3}"([A-Za-z0-9+/]{6,400}={0,2})")re",
                            420,
                            kAnyButNewline});
  docker.name = "Docker config.json auth (base64 user:password)";
  docker.validator = Validator::kBasicAuth;
  rules.push_back(std::move(docker));
  rules.push_back(prefixed({"rubygems-api-key",
                            "RubyGems API key",
                            {"rubygems_"},
                            "rubygems_[a-f0-9]{48}",
                            48,
                            "a-f0-9"}));
  rules.push_back(
      prefixed({"nuget-api-key", "NuGet API key", {"oy2"}, "oy2[a-z0-9]{43}", 43, "a-z0-9"}));
  rules.push_back(prefixed(
      {"crates-io-token", "crates.io API token", {"cio"}, "cio[A-Za-z0-9]{32}", 32, kB62}));
  rules.push_back(prefixed(
      {"jfrog-api-key", "JFrog Artifactory API key", {"AKCp"}, "AKCp[A-Za-z0-9]{69}", 69, kB62}));
  rules.push_back(prefixed({"jfrog-reference-token",
                            "JFrog Artifactory reference token",
                            {"cmVmdGtuOjAxOj"},
                            "cmVmdGtuOjAxOj[A-Za-z0-9]{50}",
                            50,
                            kB62}));
  rules.push_back(prefixed({"clojars-token",
                            "Clojars deploy token",
                            {"CLOJARS_"},
                            "CLOJARS_[a-z0-9]{60}",
                            60,
                            "a-z0-9"}));
}

void addCi(std::vector<Rule>& rules) {
  rules.push_back(prefixed({"bitbucket-app-password",
                            "Bitbucket app password",
                            {"ATBB"},
                            "ATBB[A-Za-z0-9]{24}[A-F0-9]{8}",
                            32,
                            kB62}));
  rules.push_back(prefixed({"atlassian-api-token",
                            "Atlassian API token (Jira, Confluence, Bitbucket)",
                            {"ATATT3", "ATCTT3"},
                            "AT[AC]TT3[A-Za-z0-9_-]{150,220}=[A-Fa-f0-9]{8}",
                            240,
                            "A-Za-z0-9_=\\-"}));
  rules.push_back(prefixed({"circleci-token",
                            "CircleCI personal API token",
                            {"CCIPAT_"},
                            "CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}",
                            63,
                            "A-Za-z0-9_"}));
  rules.push_back(contextual({"circleci-legacy-token",
                              "CircleCI API token (legacy, by name)",
                              {"circle"},
                              "circle[A-Za-z_-]{0,12}token",
                              "[a-f0-9]{40}",
                              "a-f0-9"}));
  rules.push_back(contextual({"travis-ci-token",
                              "Travis CI API token",
                              {"travis"},
                              "travis[A-Za-z_-]{0,12}(?:token|key)",
                              "[A-Za-z0-9_-]{22}",
                              kB64Url}));
  rules.push_back(prefixed(
      {"buildkite-token", "Buildkite API token", {"bkua_"}, "bkua_[a-f0-9]{40}", 40, "a-f0-9"}));
  rules.push_back(prefixed({"sourcegraph-token",
                            "Sourcegraph access token",
                            {"sgp_"},
                            "sgp_(?:[a-f0-9]{16}_)?[a-f0-9]{40}",
                            57,
                            "a-f0-9_"}));
  rules.push_back(prefixed({"sonarqube-token",
                            "SonarQube / SonarCloud token",
                            {"squ_", "sqp_", "sqa_"},
                            "sq[upa]_[a-f0-9]{40}",
                            40,
                            "a-f0-9"}));
  rules.push_back(
      prefixed({"prefect-api-key", "Prefect API key", {"pnu_"}, "pnu_[A-Za-z0-9]{36}", 36, kB62}));
  rules.push_back(prefixed({"octopus-deploy-api-key",
                            "Octopus Deploy API key",
                            {"API-"},
                            "API-[A-Z0-9]{26}",
                            26,
                            "A-Z0-9"}));
  rules.push_back(prefixed({"harness-token",
                            "Harness access token",
                            {"pat.", "sat."},
                            "(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[a-f0-9]{24}\\.[A-Za-z0-9]{20}",
                            72,
                            "A-Za-z0-9_.\\-"}));
}

}  // namespace

void addDevRules(std::vector<Rule>& rules) {
  addGithubGitlab(rules);
  addRegistries(rules);
  addCi(rules);
}

}  // namespace agentbox::redact::detail
