// SPDX-License-Identifier: Apache-2.0
// File: rules_test.cc
// Every built-in rule: a positive is redacted (one pass, split at every byte, one byte at a
// time, same output each way) and a look-alike negative passes through untouched.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "redact_test_util.h"

namespace agentbox::redact {
namespace {

using testing::builtinSet;
using testing::runBytewise;
using testing::runChunks;
using testing::runOnce;

struct RuleCase {
  const char* rule;
  std::string positive;  // text containing `secret`
  std::string secret;
  std::string negative;  // look-alike that must pass unchanged
};

const std::string kPem =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA7xCv3u5Qk2Yh9rLd0mZt3Wq6pTnE4Xy1bJ8sV0cGfHhKkLl\n"
    "p9aQzR2sT4uV6wX8yZ0aB1cD3eF5gH7iJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB7c\n"
    "-----END RSA PRIVATE KEY-----";

std::vector<RuleCase> cases() {
  return {
      {"aws-access-key-id", "export AWS_ACCESS_KEY_ID=AKIA6ZGEIW3XF4CCIFUF\n",
       "AKIA6ZGEIW3XF4CCIFUF", "docs use AKIAIOSFODNN7EXAMPLE as the key id\n"},
      {"github-pat", "token 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 here\n",
       "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",
       "token ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM here\n"},
      {"github-token", "remote x-access-token: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@github\n",
       "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",
       "remote gho_Eeeby3abP3E2Zs8IQ9Y7aJZqhB6bae2dTjzy@github\n"},
      {"github-fine-grained-pat",
       "GH=github_pat_11PwtV5ASPZHu8qRtZHjQM_"
       "huOzE95B9EgE0VrbBGI09QYNdaKy8isWydfhl3TvtnythpZPPPP6UeP3C4D\n",
       "github_pat_11PwtV5ASPZHu8qRtZHjQM_"
       "huOzE95B9EgE0VrbBGI09QYNdaKy8isWydfhl3TvtnythpZPPPP6UeP3C4D",
       "the github_pat_ prefix marks fine-grained tokens\n"},
      {"gitlab-pat", "PRIVATE=glpat-uKEh6D0JCk39QmJWikyF done\n", "glpat-uKEh6D0JCk39QmJWikyF",
       "see glpat-short for the format\n"},
      {"gitlab-token", "runner glrt-E-xzzdAIDhXzK2QkI3cB ok\n", "glrt-E-xzzdAIDhXzK2QkI3cB",
       "runner glrt-abc ok\n"},
      {"openai-api-key",
       "OPENAI_KEY "
       "sk-proj-XkLjSgSOUpTP_"
       "j33ZyXOivikASDTyPhQz0ziAFnPzMtgBoxpAKLG3JxIyiJG21DHtOR3WRbUfXT3BlbkFJrG7jwrGJ2uN0JMIyF7fzD7"
       "VOZ5Cv38ufPZvzVXPvHrFoue9Us9RcFJkIWHxSCo-KSKtphrPjeB\n",
       "sk-proj-XkLjSgSOUpTP_"
       "j33ZyXOivikASDTyPhQz0ziAFnPzMtgBoxpAKLG3JxIyiJG21DHtOR3WRbUfXT3BlbkFJrG7jwrGJ2uN0JMIyF7fzD7"
       "VOZ5Cv38ufPZvzVXPvHrFoue9Us9RcFJkIWHxSCo-KSKtphrPjeB",
       "keys look like sk-proj-abc\n"},
      {"openai-legacy-key", "key: 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\n",
       "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",
       "the marker T3BlbkFJ is base64 for OpenAI\n"},
      {"anthropic-api-key",
       "ANTHROPIC "
       "sk-ant-api03-XpJ_fBZ7Ns9Y2BXAS8XFw1hrYG5UEKX6NPddQbvMYi2W412OyVvDt_"
       "odRThPHpi6G19WtK7AmaVb5wNKYv0XkgfV4dRjNAA\n",
       "sk-ant-api03-XpJ_fBZ7Ns9Y2BXAS8XFw1hrYG5UEKX6NPddQbvMYi2W412OyVvDt_"
       "odRThPHpi6G19WtK7AmaVb5wNKYv0XkgfV4dRjNAA",
       "prefix sk-ant-api03-short\n"},
      {"anthropic-oauth-token",
       "CLAUDE_CODE_OAUTH_TOKEN is "
       "sk-ant-oat01-0gmAyZPV0BXBIp5o2ccTAJnf_JaI5sH2TA35HkDmv62V-X0w8B8yW9XUQTw_m9za5P9IgWcH1z7-"
       "YCR-baxxxFPdAy2bwAA\n",
       "sk-ant-oat01-0gmAyZPV0BXBIp5o2ccTAJnf_JaI5sH2TA35HkDmv62V-X0w8B8yW9XUQTw_m9za5P9IgWcH1z7-"
       "YCR-baxxxFPdAy2bwAA",
       "oauth tokens start sk-ant-oat01-\n"},
      {"google-api-key", "maps key=AIzaSy9vYnQQ9BIXkGZEkT_-o3K0-vpcIrimeFg;\n",
       "AIzaSy9vYnQQ9BIXkGZEkT_-o3K0-vpcIrimeFg", "AIzaSy is the usual start\n"},
      {"google-oauth-client-secret", "client 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\n",
       "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", "client GOCSPX-short\n"},
      {"google-oauth-token",
       "access ya29.ls3pQA6qvHa-6GLyrhacWXpUczoFLK9Q_SvgvsHOVBMhBeUlXP2qnqQmYh7_\n",
       "ya29.ls3pQA6qvHa-6GLyrhacWXpUczoFLK9Q_SvgvsHOVBMhBeUlXP2qnqQmYh7_", "access ya29.short\n"},
      {"slack-token", "SLACK xoxb-495288314366-764020679701-PxxxqXsTSFo6E99Xh6yqkifs end\n",
       "xoxb-495288314366-764020679701-PxxxqXsTSFo6E99Xh6yqkifs", "bot tokens start xoxb-123\n"},
      {"slack-webhook",
       "post to https://hooks.slack.com/services/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 "
       "now\n",
       "https://hooks.slack.com/services/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",
       "see https://hooks.slack.com/ for docs\n"},
      {"stripe-secret-key",
       "stripe sk_live_51XFZF1zQjfJ31CVuhfQ5GEgRxNEV2iLjQNhPC0pIlsW4DVCJnqCETEGmuI6yd\n",
       "sk_live_51XFZF1zQjfJ31CVuhfQ5GEgRxNEV2iLjQNhPC0pIlsW4DVCJnqCETEGmuI6yd",
       "publishable pk_live_51XFZF1zQjfJ31CVuhfQ5GEgRxNEV2iLjQNhPC0pIlsW4DVCJnq\n"},
      {"stripe-webhook-secret", "signing whsec_VdBvEVQwg3yc9xP3D1c9Q3j3BPSvjuKk\n",
       "whsec_VdBvEVQwg3yc9xP3D1c9Q3j3BPSvjuKk", "signing whsec_short\n"},
      {"twilio-api-key", "twilio SK325a65e19cbae530282bd36cb9d21f6b\n",
       "SK325a65e19cbae530282bd36cb9d21f6b", "TASK325a65e19cbae530282bd36cb9d21f6b\n"},
      {"sendgrid-api-key",
       "mail 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\n",
       "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", "SG.short.x\n"},
      {"npm-token", "//registry.npmjs.org/:_authToken=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\n",
       "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",
       "//registry.npmjs.org/:_auth npm_CN6Zj4a3dDVhYRnKTbxTNJFoBinF5a42GyMz\n"},
      {"pypi-token",
       "twine upload -p "
       "pypi-AgEIcHlwaS5vcmcQCr_"
       "vMTHrwUFbbZYlWXPuVNVUJaOf8oWVTCx4D0yTvl5bTF6OO9lMvX0DiR4lhI5QW4Q1f\n",
       "pypi-AgEIcHlwaS5vcmcQCr_vMTHrwUFbbZYlWXPuVNVUJaOf8oWVTCx4D0yTvl5bTF6OO9lMvX0DiR4lhI5QW4Q1f",
       "upload with pypi-AgEother\n"},
      {"vault-token",
       "VAULT_TOKEN "
       "hvs.qlNd9Q4_z8qCoJBKoYqadr6djrr2kPopQ0tKsEBpkwKG16IoBlLIiaKL8Dn-"
       "PcG5ze6nBKSpPyNR5pKnjFJVO54fFn\n",
       "hvs.qlNd9Q4_z8qCoJBKoYqadr6djrr2kPopQ0tKsEBpkwKG16IoBlLIiaKL8Dn-"
       "PcG5ze6nBKSpPyNR5pKnjFJVO54fFn",
       "tokens start hvs.short\n"},
      {"huggingface-token", "HF hf_cTZsenJfQJbFROgNSWSB10dVTFSmdnqTrB\n",
       "hf_cTZsenJfQJbFROgNSWSB10dVTFSmdnqTrB", "HF hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"},
      {"jwt",
       "cookie "
       "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9."
       "eyJzdWIiOiAiMTIzNDU2Nzg5MCIsICJuYW1lIjogImFnZW50In0.c_hva9FrLhJ-r59ehi_w8BYy87dvani2xjLE_"
       "7RaGVo;\n",
       "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9."
       "eyJzdWIiOiAiMTIzNDU2Nzg5MCIsICJuYW1lIjogImFnZW50In0.c_hva9FrLhJ-r59ehi_w8BYy87dvani2xjLE_"
       "7RaGVo",
       "data "
       "eyJzdWIiOiAiMTIzNDU2Nzg5MCIsICJuYW1lIjogImFnZW50In0."
       "eyJzdWIiOiAiMTIzNDU2Nzg5MCIsICJuYW1lIjogImFnZW50In0.c2ln\n"},
      {"private-key", "key file:\n" + kPem + "\nnext line\n", kPem,
       "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC "
       "KEY-----\n"},
      {"azure-storage-key",
       "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=vDWolXmlIkgAuTM6bWde04SJbtrk6G+"
       "T5260jcDjSqcHQkyKH1VJvC8IYpX17iu/"
       "VL0573pNUK7D1PIqPrMd8c==;EndpointSuffix=core.windows.net\n",
       "vDWolXmlIkgAuTM6bWde04SJbtrk6G+T5260jcDjSqcHQkyKH1VJvC8IYpX17iu/VL0573pNUK7D1PIqPrMd8c==",
       "AccountKey=short;\n"},
      {"azure-ad-client-secret", "AZURE e3u8Q~z0mtxAvMSDXT4FgX6YtXbRA.1LXUPKfOng end\n",
       "e3u8Q~z0mtxAvMSDXT4FgX6YtXbRA.1LXUPKfOng", "home dir is ~ and abc8Q~short\n"},
      {"aws-secret-access-key",
       "aws_secret_access_key = 6mH38EOG+aLS8iWKfZwIWzQXUel4PNpKZfmLXE6k\n",
       "6mH38EOG+aLS8iWKfZwIWzQXUel4PNpKZfmLXE6k",
       "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"},
      {"bearer-token", "token type Bearer Umyy03tTdRo9LI43EDKiI335H5858kP8nDVQQE44 end\n",
       "Umyy03tTdRo9LI43EDKiI335H5858kP8nDVQQE44", "Bearer tokens are short-lived\n"},
      {"authorization-header", "Authorization: Basic dXNlcjpodW50ZXIyc2VjcmV0\n",
       "dXNlcjpodW50ZXIyc2VjcmV0", "Authorization: ${AUTH_HEADER}\n"},
      {"api-key-header", "X-Api-Key: 9f8e7d6c5b4a39281706f5e4\n", "9f8e7d6c5b4a39281706f5e4",
       "X-Api-Key: <your-key>\n"},
      {"url-credentials", "git remote add origin https://app:s3cr3tPa55@git.internal/r.git\n",
       "s3cr3tPa55", "https://user:password@git.internal/app and https://host/path\n"},
      {"database-url-password", "DATABASE_URL=postgres://app:s3cr3tPa55@db.internal:5432/app\n",
       "s3cr3tPa55", "postgres://user:password@db.internal/app and postgres://db/app\n"},
      {"phone-e164", "call +44 20 7946 0958 tomorrow\n", "+44 20 7946 0958",
       "diff stats +12 -3, i+1 and +0 20 7946 0958\n"},
      {"phone-nanp", "office: (415) 234-2671 ext\n", "(415) 234-2671",
       "office: (415) 555-0123 and (411) 234-2671\n"},
      {"phone-labelled", "Telefon: 030 1234 5678\n", "030 1234 5678", "phone: 1234\n"},
      {"iban", "IBAN: DE89 3704 0044 0532 0130 00 now\n", "DE89 3704 0044 0532 0130 00",
       "IBAN: DE88 3704 0044 0532 0130 00 now\n"},
      {"ip-v4", "peer 10.20.30.40 closed\n", "10.20.30.40",
       "peer 192.0.2.10 and 127.0.0.1 and 1.3.6.1.4.1 and 999.1.1.1 closed\n"},
      {"ip-v6", "peer fe80::1ff:fe23:4567:890a closed\n", "fe80::1ff:fe23:4567:890a",
       "std::vector and ::1 and 2001:db8::1 and 12:30:45\n"},
      {"password-assignment", "DB_PASSWORD='Tr0ub4dor-x9'\n", "Tr0ub4dor-x9",
       "password: ******** and password=${DB_PASS}\n"},
      {"generic-secret-assignment", "api_key: 9cXk2LmQ8vR4tY7wZ1bN5hJ3\n",
       "9cXk2LmQ8vR4tY7wZ1bN5hJ3", "token_count: 1234567890123456\n"},
      {"email", "contact alice.smith@corp-mail.io today\n", "alice.smith@corp-mail.io",
       "git@github.com:org/repo.git alice@example.com pkg@1.2.3\n"},
      {"credit-card", "card 4111 1111 1111 1111 exp 12/29\n", "4111 1111 1111 1111",
       "card 4111 1111 1111 1112 exp 12/29\n"},
      {"us-ssn", "ssn 219-09-9999 on file\n", "219-09-9999",
       "ssn 666-12-3456 and 111-22-3333 on file\n"},
#include "rule_cases_generated.inc"
  };
}

class BuiltinRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(BuiltinRule, PositiveIsRedactedAndNamed) {
  const RuleCase& c = GetParam();
  auto r = runOnce(builtinSet(), c.positive);
  EXPECT_EQ(r.out.find(c.secret), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("[REDACTED:") + c.rule + ":"), std::string::npos) << r.out;
  ASSERT_EQ(r.findings.size(), 1U) << r.out;
  EXPECT_EQ(r.findings[0].rule_id, c.rule);
  const size_t at = c.positive.find(c.secret);
  EXPECT_EQ(r.findings[0].start, at);
  EXPECT_EQ(r.findings[0].end, at + c.secret.size());
}

TEST_P(BuiltinRule, NegativePassesUnchanged) {
  const RuleCase& c = GetParam();
  auto r = runOnce(builtinSet(), c.negative);
  EXPECT_EQ(r.out, c.negative);
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].rule_id;
}

TEST_P(BuiltinRule, SplitAtEveryByteGivesTheOnePassOutput) {
  const RuleCase& c = GetParam();
  const std::string expected = runOnce(builtinSet(), c.positive).out;
  const std::string_view text = c.positive;
  for (size_t i = 0; i <= text.size(); ++i) {
    auto r = runChunks(builtinSet(), {text.substr(0, i), text.substr(i)});
    ASSERT_EQ(r.out, expected) << "split at " << i;
  }
}

TEST_P(BuiltinRule, OneByteAtATimeGivesTheOnePassOutput) {
  const RuleCase& c = GetParam();
  const std::string expected = runOnce(builtinSet(), c.positive).out;
  auto r = runBytewise(builtinSet(), c.positive);
  EXPECT_EQ(r.out, expected);
  EXPECT_EQ(r.out.find(c.secret), std::string::npos);
}

std::string caseName(const ::testing::TestParamInfo<RuleCase>& info) {
  std::string name = info.param.rule;
  for (char& ch : name) {
    if (ch == '-') {
      ch = '_';
    }
  }
  return name;
}

TEST(BuiltinRules, ShellMessagesAboutPasswdAreNotPasswords) {
  for (const char* text :
       {"/etc/passwd: Read-only file system\n", "passwd: Authentication token manipulation error\n",
        "sudo: unable to open /etc/passwd: Permission denied\n", "pwd: /workspace/src\n"}) {
    auto r = runOnce(builtinSet(), text);
    EXPECT_EQ(r.out, text);
  }
  auto r = runOnce(builtinSet(), "password: hunter2x\n");
  EXPECT_EQ(r.out.find("hunter2x"), std::string::npos);
}

// The eval corpus's one recall miss: a URL-encoded bearer body holding "%s" and "%d" by
// chance was taken for a printf placeholder.
TEST(BuiltinRules, TwitterBearerBodyWithPercentLettersIsRedacted) {
  const std::string token =
      "AAAAAAAAAAAAAAAAAAAAAA%dYfYkB%PBcvxsylmojF%R4grP4%IMX%s6JfV79t4GjCBgPYR2FdPsmYkruaeDtHBC"
      "zh3hIfBYJ3vn20DD4PZMyhRV";
  auto r = runOnce(builtinSet(), "set TWITTER_BEARER_TOKEN=" + token + "\n");
  EXPECT_EQ(r.out.find(token.substr(22)), std::string::npos) << r.out;
  ASSERT_EQ(r.findings.size(), 1U) << r.out;
  EXPECT_EQ(r.findings[0].rule_id, "twitter-bearer-token");
  const std::string filler(112, 'A');
  EXPECT_EQ(runOnce(builtinSet(), "x " + filler + "\n").out, "x " + filler + "\n");
}

TEST(BuiltinRules, IpRulesAreOptIn) {
  size_t ip = 0;
  for (const Rule& rule : builtinRules()) {
    EXPECT_EQ(rule.opt_in, rule.id.rfind("ip-", 0) == 0) << rule.id;
    ip += rule.opt_in ? 1 : 0;
  }
  EXPECT_EQ(ip, 2U);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BuiltinRule, ::testing::ValuesIn(cases()), caseName);

TEST(BuiltinRules, EveryRuleHasATestCaseAndAUniqueId) {
  std::set<std::string> ids;
  for (const Rule& r : builtinRules()) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id;
  }
  std::set<std::string> tested;
  for (const RuleCase& c : cases()) {
    tested.insert(c.rule);
  }
  EXPECT_EQ(ids, tested);
  EXPECT_GE(ids.size(), 120U);
}

}  // namespace
}  // namespace agentbox::redact
