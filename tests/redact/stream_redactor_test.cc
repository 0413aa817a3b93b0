// SPDX-License-Identifier: Apache-2.0
// File: stream_redactor_test.cc
// Streaming contracts: known secrets in every form, idle flush, slow writers, holdback bound,
// fail-closed behaviour, custom rules, findings and counters.
#include "redact/stream_redactor.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cctype>
#include <memory>
#include <random>
#include <string>

#include "redact/known_secrets.h"
#include "redact_test_util.h"

namespace agentbox::redact {
namespace {

using testing::buildRules;
using testing::builtinSet;
using testing::runBytewise;
using testing::runChunks;
using testing::runOnce;
using testing::StringSink;
using namespace std::chrono_literals;

constexpr std::string_view kGhp = "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";

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string toUrlAlphabet(std::string s) {
  for (char& c : s) {
    c = c == '+' ? '-' : (c == '/' ? '_' : c);
  }
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

TEST(KnownSecret, EveryEncodingIsRedacted) {
  const std::string secret = "p@ss/w:rd+Zq81~x";
  auto rules = buildRules({secret});
  const std::string hex = "704073732f773a72642b5a7138317e78";
  const std::vector<std::string> forms = {
      secret,
      base64(secret),
      base64("user:" + secret),  // embedded at a shifted byte alignment
      base64("ab" + secret),
      toUrlAlphabet(base64("x" + secret)),
      "p%40ss%2Fw%3Ard%2BZq81~x",
      "p%40ss%2fw%3ard%2bZq81~x",  // lower-case percent escapes
      hex,
      upper(hex),
      "p@ss\\/w:rd+Zq81~x",  // JSON-escaped '/'
  };
  for (const std::string& form : forms) {
    const std::string text = "value=[" + form + "] end\n";
    auto r = runOnce(rules, text);
    EXPECT_EQ(r.out.find(form), std::string::npos) << form << " -> " << r.out;
    EXPECT_NE(r.out.find("[REDACTED:known-secret:"), std::string::npos) << form;
    auto bytewise = runBytewise(rules, text);
    EXPECT_EQ(bytewise.out, r.out) << form;
  }
}

TEST(KnownSecret, Base64FormLeavesNoSecretBearingCharacters) {
  const std::string secret = "correct-horse-battery";
  auto rules = buildRules({secret});
  const std::string encoded = base64("me:" + secret);
  auto r = runOnce(rules, "Authorization: Basic " + encoded + "\n");
  // Only characters fully derived from "me:" may remain of the encoded form.
  EXPECT_EQ(r.out.find(encoded.substr(4, 8)), std::string::npos) << r.out;
}

TEST(KnownSecret, TooShortValuesAreReportedNotMatched) {
  auto rules = buildRules({"abc", "long-enough-value"});
  ASSERT_EQ(rules->warnings().size(), 1U);
  EXPECT_NE(rules->warnings()[0].find("#1"), std::string::npos);
  EXPECT_EQ(runOnce(rules, "abc abc\n").out, "abc abc\n");
}

TEST(KnownSecret, LongMultiLineValueIsRedactedLineByLine) {
  std::string value;
  for (int i = 0; i < 6; ++i) {
    value += "line" + std::to_string(i) + "-Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA=\n";
  }
  auto rules = buildRules({value});
  auto r = runOnce(rules, "dump:\n" + value);
  EXPECT_EQ(r.out.find("Zm9vYmFyYmF6"), std::string::npos) << r.out;
}

TEST(HomeDir, IsRewrittenToTildeOnlyAsAWholeComponent) {
  auto rules = buildRules({}, "/home/alice/");
  auto r = runOnce(rules, "cd /home/alice/src; ls /home/alice2 /home/alice\n");
  EXPECT_EQ(r.out, "cd ~/src; ls /home/alice2 ~\n");
  EXPECT_TRUE(r.findings.empty());  // a rewrite, not a finding
}

TEST(Fingerprint, SameSecretSameFingerprintKeyedByStateDir) {
  auto r = runOnce(builtinSet(), std::string(kGhp) + " and " + std::string(kGhp) + "\n");
  ASSERT_EQ(r.findings.size(), 2U);
  EXPECT_EQ(r.findings[0].fingerprint, r.findings[1].fingerprint);
  EXPECT_EQ(r.findings[0].fingerprint.size(), 8U);
  RuleSetConfig other;
  other.rules = builtinRules();
  other.hmac_key = "another-state-dir-key";
  auto other_set = RuleSet::build(std::move(other));
  ASSERT_TRUE(other_set.has_value());
  EXPECT_NE((*other_set)->fingerprint(kGhp), r.findings[0].fingerprint);
  EXPECT_EQ(builtinSet()->fingerprint(kGhp), r.findings[0].fingerprint);
  EXPECT_NE(r.out.find("[REDACTED:github-pat:" + r.findings[0].fingerprint + "]"),
            std::string::npos);
}

TEST(IdleFlush, ReleasesOnlyWhatNoCandidateCanClaim) {
  auto red = StreamRedactor::open(builtinSet());
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  const auto t0 = Clock::time_point{} + 1h;
  ASSERT_TRUE(red->write("hello world, here: ghp_Ky9P", sink, t0).has_value());
  EXPECT_EQ(sink.out, "");  // all within the tail hold
  ASSERT_EQ(red->nextFlushDeadline(), t0 + 50ms);
  ASSERT_TRUE(red->flushIdle(t0 + 49ms, sink).has_value());
  EXPECT_EQ(sink.out, "");
  ASSERT_TRUE(red->flushIdle(t0 + 50ms, sink).has_value());
  EXPECT_EQ(sink.out, "hello world, here: ");
  EXPECT_EQ(red->nextFlushDeadline(), std::nullopt);
  ASSERT_TRUE(red->write(std::string_view(kGhp).substr(8), sink, t0 + 1s).has_value());
  ASSERT_TRUE(red->write(" bye", sink, t0 + 2s).has_value());
  ASSERT_TRUE(red->flushIdle(t0 + 3s, sink).has_value());
  ASSERT_TRUE(red->finish(sink).has_value());
  EXPECT_EQ(sink.out.find("Ky9P"), std::string::npos) << sink.out;
  EXPECT_NE(sink.out.find("here: [REDACTED:github-pat:"), std::string::npos) << sink.out;
}

TEST(IdleFlush, PartialKeywordAtTheEndIsHeld) {
  auto red = StreamRedactor::open(builtinSet());
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  const auto t0 = Clock::time_point{} + 1h;
  ASSERT_TRUE(red->write("value: gh", sink, t0).has_value());
  ASSERT_TRUE(red->flushIdle(t0 + 1s, sink).has_value());
  EXPECT_EQ(sink.out, "value: ");
}

TEST(IdleFlush, DeadlineFollowsTheConfiguredPause) {
  StreamOptions opts;
  opts.idle_flush = 20ms;
  auto red = StreamRedactor::open(builtinSet(), opts);
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  EXPECT_EQ(red->nextFlushDeadline(), std::nullopt);
  const auto t0 = Clock::time_point{} + 1h;
  ASSERT_TRUE(red->write("x;", sink, t0).has_value());
  EXPECT_EQ(red->nextFlushDeadline(), t0 + 20ms);
  ASSERT_TRUE(red->flushIdle(t0 + 20ms, sink).has_value());
  EXPECT_EQ(sink.out, "x;");
  EXPECT_EQ(red->nextFlushDeadline(), std::nullopt);
}

TEST(SlowWriter, OneByteEvery100msIsStillRedacted) {
  struct Case {
    std::string text;
    std::string secret_part;  // no output may contain this
  };
  const Case cases[] = {
      {"export GH=" + std::string(kGhp) + " done\n", "Ky9Pf3"},
      {"mail alice.smith@corp-mail.io now\n", "alice.smith"},
      {"DB_PASSWORD=Tr0ub4dor-x9\n", "Tr0ub"},
      {"card 4111 1111 1111 1111\n", "4111 1111"},
  };
  for (const Case& c : cases) {
    auto red = StreamRedactor::open(builtinSet());
    ASSERT_TRUE(red.has_value());
    StringSink sink;
    auto now = Clock::time_point{} + 1h;
    for (char ch : c.text) {
      ASSERT_TRUE(red->write(std::string_view(&ch, 1), sink, now).has_value());
      ASSERT_TRUE(red->flushIdle(now + 50ms, sink).has_value());
      EXPECT_EQ(sink.out.find(c.secret_part), std::string::npos) << c.text << ": " << sink.out;
      now += 100ms;
    }
    ASSERT_TRUE(red->finish(sink).has_value());
    EXPECT_EQ(sink.out.find(c.secret_part), std::string::npos) << sink.out;
    EXPECT_EQ(sink.out, runOnce(builtinSet(), c.text).out);
  }
}

// Near-miss triggers whose window ends at once (`ghp_ `, `AKIA `) are not opened; the real
// tokens right after them, and a trigger inside such a window, are found as ever, with the
// same spans for one write, a byte at a time and every cut in two.
TEST(Candidates, TooShortToMatchAreLeftOutWithoutChangingFindings) {
  const auto& rules = builtinSet();
  ASSERT_NE(rules, nullptr);
  const std::string text =
      "see ghp_ and ghp_x then ghp_ghp_ export GH=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 "
      "AKIA AKIA\n AKIA6ZGEIW3XF4CCIFUF glpat- hvs. AIza SKU xoxb-1\n";
  StreamOptions opts;
  auto one = StreamRedactor::open(rules, opts);
  ASSERT_TRUE(one.has_value());
  StringSink sink;
  ASSERT_TRUE(one->write(text, sink).has_value());
  ASSERT_TRUE(one->finish(sink).has_value());
  EXPECT_GE(one->candidatesLeftOutForTest(), 8U);
  ASSERT_EQ(sink.findings.size(), 2U) << sink.out;
  EXPECT_EQ(sink.findings[0].rule_id, "github-pat");
  EXPECT_EQ(sink.findings[1].rule_id, "aws-access-key-id");
  EXPECT_EQ(sink.out.find("ghp_Ky9"), std::string::npos) << sink.out;
  EXPECT_NE(sink.out.find("ghp_ and ghp_x then ghp_ghp_ export"), std::string::npos) << sink.out;
  auto same = [&](const testing::RunResult& r, const std::string& what) {
    ASSERT_EQ(r.out, sink.out) << what;
    ASSERT_EQ(r.findings.size(), sink.findings.size()) << what;
    for (size_t k = 0; k < r.findings.size(); ++k) {
      EXPECT_EQ(r.findings[k].start, sink.findings[k].start) << what;
      EXPECT_EQ(r.findings[k].end, sink.findings[k].end) << what;
    }
  };
  same(runBytewise(rules, text), "byte at a time");
  for (size_t cut = 1; cut < text.size(); ++cut) {
    same(runChunks(rules,
                   {std::string_view(text).substr(0, cut), std::string_view(text).substr(cut)}),
         "cut at " + std::to_string(cut));
  }
}

TEST(Holdback, NeverExceedsTheDocumentedMaximum) {
  auto rules = buildRules({"known-secret-value-123"}, "/home/alice");
  const size_t max = rules->maxHoldbackBytes();
  EXPECT_LE(max, 20U * 1024U);  // docs/redaction.md states the built-in bound
  std::string pem_forever = "-----BEGIN PRIVATE KEY-----\n";
  std::string adversarial;
  for (int i = 0; i < 3000; ++i) {
    pem_forever += "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n";
    adversarial += "4111 1111 ghp_ password=xx sk-ant-api03- a.b@c.de eyJ /home/ali AKIA ";
  }
  std::string digits(100000, '7');
  std::string words;
  for (int i = 0; i < 20000; ++i) {
    words += "tokenpasswordsecret";
  }
  std::mt19937 rng(42);
  for (const std::string* text : {&pem_forever, &adversarial, &digits, &words}) {
    auto red = StreamRedactor::open(rules);
    ASSERT_TRUE(red.has_value());
    StringSink sink;
    size_t max_seen = 0;
    for (size_t pos = 0; pos < text->size();) {
      const size_t n = std::min<size_t>(1 + rng() % 700, text->size() - pos);
      ASSERT_TRUE(red->write(std::string_view(*text).substr(pos, n), sink).has_value());
      pos += n;
      max_seen = std::max(max_seen, red->heldBytes());
      ASSERT_LE(red->heldBytes(), max) << "at " << pos;
    }
    ASSERT_TRUE(red->finish(sink).has_value());
    EXPECT_EQ(red->heldBytes(), 0U);
    EXPECT_GT(max_seen, 0U);
  }
}

TEST(FailClosed, InjectedEngineFailureWithholdsEverythingAfterIt) {
  auto red = StreamRedactor::open(builtinSet());
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  std::string first(5000, 'a');
  first += " token ghp_Ky9Pf34qY6";
  ASSERT_TRUE(red->write(first, sink).has_value());
  const std::string before = sink.out;
  EXPECT_FALSE(before.empty());
  red->injectFailureForTest();
  Status st = red->write("Nb3wWD25RQ4F5ZR3qa7y3gm1IL more text\n", sink);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), Errc::kInternal);
  EXPECT_TRUE(red->failed());
  EXPECT_EQ(sink.out, before + std::string(kWithheldNotice));
  EXPECT_FALSE(red->write("later output\n", sink).has_value());
  EXPECT_FALSE(red->flushIdle(Clock::now() + 1h, sink).has_value());
  EXPECT_FALSE(red->finish(sink).has_value());
  EXPECT_EQ(sink.out, before + std::string(kWithheldNotice));
  EXPECT_EQ(sink.out.find("ghp_"), std::string::npos);
}

TEST(FailClosed, RuleSetRefusesRulesTheEnginesReject) {
  Rule bad_re2;
  bad_re2.id = "bad-re2";
  bad_re2.keywords = {"x"};
  bad_re2.regex = "(unclosed";
  RuleSetConfig a;
  a.rules = {bad_re2};
  auto ra = RuleSet::build(std::move(a));
  ASSERT_FALSE(ra.has_value());
  EXPECT_EQ(ra.error().code(), Errc::kInvalidInput);
  EXPECT_NE(ra.error().oneLine().find("bad-re2"), std::string::npos);

  Rule no_keyword;
  no_keyword.id = "no-keyword";
  no_keyword.regex = "(a+)";
  RuleSetConfig b;
  b.rules = {no_keyword};
  auto rb = RuleSet::build(std::move(b));
  ASSERT_FALSE(rb.has_value());
  EXPECT_NE(rb.error().oneLine().find("no-keyword"), std::string::npos);
}

// Built-in confirm regexes are compiled on first use (cold start); each must compile, which
// is checked here for all of them rather than on a user's first match.
TEST(FailClosed, EveryBuiltinConfirmRegexCompiles) {
  auto set = builtinSet();
  size_t regex_rules = 0;
  for (const CompiledRule& cr : set->rules()) {
    if (cr.kind != RuleKind::kRegex) {
      continue;
    }
    EXPECT_TRUE(cr.rule.lazy_confirm) << cr.rule.id;
    EXPECT_NE(cr.confirm->get(), nullptr) << cr.rule.id << ": " << cr.confirm->error();
    ++regex_rules;
  }
  EXPECT_GE(regex_rules, 120U);
}

// A lazily compiled rule whose regex turns out bad fails closed at its first candidate: the
// bytes held for the candidate and everything after are withheld, never passed through.
TEST(FailClosed, LazyConfirmThatCannotCompileWithholdsOutput) {
  Rule bad;
  bad.id = "bad-lazy";
  bad.keywords = {"tok_"};
  bad.regex = "(unclosed";
  bad.lazy_confirm = true;
  RuleSetConfig config;
  config.rules = {bad};
  auto set = RuleSet::build(std::move(config));
  ASSERT_TRUE(set.has_value()) << set.error().oneLine();
  auto red = StreamRedactor::open(*set);
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  ASSERT_TRUE(red->write("clean line\n", sink).has_value());
  const std::string before = sink.out;
  Status st = red->write("key tok_abcdef123456 more\n", sink);
  if (st.has_value()) {
    st = red->finish(sink);
  }
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().oneLine().find("bad-lazy"), std::string::npos) << st.error().oneLine();
  EXPECT_TRUE(red->failed());
  EXPECT_EQ(sink.out.find("tok_abcdef"), std::string::npos) << sink.out;
  EXPECT_EQ(sink.out.rfind(before, 0), 0U);
}

// Vectorscan 5.4.9 in stream mode misses matches of class-led regexes at some offsets; the
// engine relies on literals only. This checks literal triggers in the full database at every
// offset of buffers up to 140 bytes, through a known secret and a keyword rule.
TEST(Triggers, LiteralsFireAtEveryOffsetAndLength) {
  auto rules = buildRules({"zq81-SECRET-value"});
  const std::string secret = "zq81-SECRET-value";
  const std::string mail = "bob@corp.io";
  for (size_t len = secret.size() + 2; len < 140; ++len) {
    for (size_t pos = 1; pos + secret.size() + 1 <= len; ++pos) {
      std::string text(len, 'x');
      for (size_t i = 0; i < len; i += 7) {
        text[i] = ' ';
      }
      text.replace(pos, secret.size(), secret);
      auto r = runOnce(rules, text);
      ASSERT_EQ(r.out.find(secret), std::string::npos) << len << " " << pos;
      if (pos + mail.size() + 2 <= len) {
        std::string m(len, 'x');
        for (size_t i = 0; i < len; i += 7) {
          m[i] = ' ';
        }
        m[pos - 1] = ' ';
        m.replace(pos, mail.size(), mail);
        m[pos + mail.size()] = ' ';
        ASSERT_EQ(runOnce(rules, m).out.find(mail), std::string::npos) << m;
      }
    }
  }
}

TEST(CustomRule, KeywordRegexAndReplacementTemplate) {
  Rule r;
  r.id = "corp-id";
  r.rule_class = RuleClass::kCustom;
  r.keywords = {"CORP-"};
  r.regex = "(CORP-[0-9]{8})";
  r.after_bytes = 9;
  r.continue_chars = "0-9";
  r.replacement = "<{class}:{id}>";
  RuleSetConfig config;
  config.rules = {r};
  auto rules = RuleSet::build(std::move(config));
  ASSERT_TRUE(rules.has_value());
  auto out = runOnce(*rules, "id CORP-12345678 and CORP-123\n");
  EXPECT_EQ(out.out, "id <custom:corp-id> and CORP-123\n");
  EXPECT_EQ(runBytewise(*rules, "id CORP-12345678 and CORP-123\n").out, out.out);
}

TEST(Findings, CarryOffsetsLineAndColumn) {
  const std::string text = "first line\nxx " + std::string(kGhp) + "\nthird alice@corp.io\n";
  auto r = runOnce(builtinSet(), text);
  ASSERT_EQ(r.findings.size(), 2U);
  EXPECT_EQ(r.findings[0].start, 14U);
  EXPECT_EQ(r.findings[0].end, 14U + kGhp.size());
  EXPECT_EQ(r.findings[0].line, 2U);
  EXPECT_EQ(r.findings[0].column, 4U);
  EXPECT_EQ(r.findings[1].rule_id, "email");
  EXPECT_EQ(r.findings[1].line, 3U);
  EXPECT_EQ(r.findings[1].column, 7U);
  EXPECT_EQ(r.findings[1].rule_class, RuleClass::kPii);
  auto split = runBytewise(builtinSet(), text);
  ASSERT_EQ(split.findings.size(), 2U);
  EXPECT_EQ(split.findings[1].line, 3U);
  EXPECT_EQ(split.findings[1].column, 7U);
}

TEST(Counts, ByRuleAndByClassMerge) {
  auto red = StreamRedactor::open(builtinSet());
  ASSERT_TRUE(red.has_value());
  StringSink sink;
  ASSERT_TRUE(red->write(std::string(kGhp) + " a@corp.io b@corp.io\n", sink).has_value());
  ASSERT_TRUE(red->finish(sink).has_value());
  RedactionCounts c = red->counts();
  EXPECT_EQ(c.by_rule.at("github-pat"), 1U);
  EXPECT_EQ(c.by_rule.at("email"), 2U);
  EXPECT_EQ(c.by_class.at("secret"), 1U);
  EXPECT_EQ(c.by_class.at("pii"), 2U);
  c.merge(red->counts());
  EXPECT_EQ(c.total(), 6U);
}

TEST(Finish, PendingTruncatedTokenAtEndOfStreamIsRedacted) {
  auto r = runOnce(builtinSet(), "cut off: ghp_Ky9Pf34qY6Nb3w");
  EXPECT_EQ(r.out.find("Ky9Pf34q"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[REDACTED:github-pat:"), std::string::npos);
}

TEST(Finish, CleanTextPassesThroughByteForByte) {
  std::string text;
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i) {
    text += static_cast<char>(rng() % 256);
  }
  // Random bytes may form look-alikes but no real match with these validators is expected;
  // what matters is that chunking never changes the output.
  auto once = runOnce(builtinSet(), text);
  std::vector<std::string_view> chunks;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 3000, text.size() - pos);
    chunks.push_back(std::string_view(text).substr(pos, n));
    pos += n;
  }
  EXPECT_EQ(runChunks(builtinSet(), chunks).out, once.out);
}

// The engine scans the caller's bytes in place and keeps only what it still needs: after a
// write returns (even with the sink's error) the caller may free or reuse its buffer.
TEST(InPlace, CallerBuffersAreNotReferencedAfterWrite) {
  class FlakySink final : public Sink {
   public:
    Status write(std::span<const std::byte> bytes) override {
      if (fail_next) {
        fail_next = false;
        return makeError(Errc::kIo, "sink full");
      }
      out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return ok();
    }
    void onFinding(const Finding& /*f*/) override {}
    bool fail_next = false;
    std::string out;
  };
  const std::string text = std::string(5000, 'a') + " 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 " +
                           std::string(5000, 'b') + " card 4111 1111 1111 1111 end\n";
  for (size_t cut : {size_t{10}, size_t{5001}, size_t{5010}, size_t{5040}, size_t{10050}}) {
    auto r = StreamRedactor::open(builtinSet());
    ASSERT_TRUE(r.has_value());
    FlakySink sink;
    auto first = std::make_unique<std::string>(text.substr(0, cut));
    ASSERT_TRUE(r->write(*first, sink).has_value());
    first->assign(first->size(), '#');  // a reused buffer must not leak into the output
    first.reset();
    auto second = std::make_unique<std::string>(text.substr(cut));
    sink.fail_next = true;
    const bool second_ok = r->write(*second, sink).has_value();
    second->assign(second->size(), '#');
    second.reset();
    ASSERT_TRUE(r->finish(sink).has_value() || !second_ok);
    EXPECT_EQ(sink.out.find('#'), std::string::npos) << cut;
    // A failed sink write loses those bytes, never a redaction.
    EXPECT_EQ(sink.out.find("Ky9Pf34q"), std::string::npos) << cut;
    EXPECT_EQ(sink.out.find("4111 1111"), std::string::npos) << cut;
  }
}

}  // namespace
}  // namespace agentbox::redact
