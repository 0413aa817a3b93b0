// SPDX-License-Identifier: Apache-2.0
// File: json_lines_test.cc
// JSON Lines mode: string values are redacted after unescaping, every line stays valid JSON
// with the same keys and types, and chunking does not change the output.
#include "redact/json_lines.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "redact_test_util.h"

namespace agentbox::redact {
namespace {

using nlohmann::json;
using testing::builtinSet;
using testing::runBytewise;
using testing::runChunks;
using testing::runOnce;

constexpr std::string_view kGhp = "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";

// Same shape: same keys in objects, same lengths of arrays, same JSON types everywhere.
bool sameShape(const json& a, const json& b) {
  if (a.type() != b.type()) {
    return false;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !sameShape(it.value(), b.at(it.key()))) {
        return false;
      }
    }
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!sameShape(a[i], b[i])) {
        return false;
      }
    }
  }
  return true;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    out.push_back(s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) {
      break;
    }
    pos = nl + 1;
  }
  return out;
}

TEST(JsonLines, StringValuesAreRedactedStructureKept) {
  const std::string in = R"({"type":"assistant","n":5,"ok":true,"x":null,"msg":{"text":"use )" +
                         std::string(kGhp) + R"( now","parts":["a@corp.io",1.5e3]}})" + "\n";
  auto r = runOnce(builtinSet(), in, InputFormat::kJsonLines);
  EXPECT_EQ(r.out.find(kGhp), std::string::npos);
  json a = json::parse(in, nullptr, false);
  json b = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(b.is_discarded()) << r.out;
  EXPECT_TRUE(sameShape(a, b));
  EXPECT_EQ(b["msg"]["parts"][0].get<std::string>().rfind("[REDACTED:email:", 0), 0U);
  EXPECT_EQ(b["n"], 5);
  ASSERT_EQ(r.findings.size(), 2U);
  EXPECT_EQ(in.substr(r.findings[0].start, r.findings[0].end - r.findings[0].start), kGhp);
  EXPECT_EQ(r.findings[0].line, 1U);
}

TEST(JsonLines, SecretSplitByEscapesIsFound) {
  // 'K' written as \u004b, and a URL whose slashes are escaped.
  const std::string in =
      R"({"a":"ghp_\u004by9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IL","b":"postgres:\/\/app:s3cr3tPa55@db"})"
      "\n";
  auto r = runOnce(builtinSet(), in, InputFormat::kJsonLines);
  json b = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(b.is_discarded()) << r.out;
  EXPECT_EQ(b["a"].get<std::string>().rfind("[REDACTED:github-pat:", 0), 0U) << r.out;
  EXPECT_EQ(b["b"].get<std::string>().find("s3cr3tPa55"), std::string::npos);
  EXPECT_EQ(b["b"].get<std::string>().rfind("postgres://app:[REDACTED:database-url-password:", 0),
            0U);
}

TEST(JsonLines, KeysAndUnchangedStringsAreCopiedByteForByte) {
  const std::string in = R"({"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" : "caf\u00e9 \/ ok"})"
                         "\n";
  EXPECT_EQ(runOnce(builtinSet(), in, InputFormat::kJsonLines).out, in);
}

TEST(JsonLines, NonJsonLineIsRedactedAsText) {
  const std::string in = "not json " + std::string(kGhp) + "\n{\"ok\":1}\n";
  auto r = runOnce(builtinSet(), in, InputFormat::kJsonLines);
  EXPECT_EQ(r.out.find(kGhp), std::string::npos);
  EXPECT_NE(r.out.find("\n{\"ok\":1}\n"), std::string::npos);
}

TEST(JsonLines, GeneratedStreamJsonStaysValidWithSameShape) {
  std::mt19937 rng(99);
  const std::vector<std::string> secrets = {
      std::string(kGhp), "alice.smith@corp-mail.io", "AKIA6ZGEIW3XF4CCIFUF",
      "sk-ant-api03-XpJ_fBZ7Ns9Y2BXAS8XFw1hrYG5UEKX6NPddQbvMYi2W412OyVvDt_odRThPHpi6G19WtK7AmaVb5wN"
      "KYv0XkgfV4dRjNAA"};
  std::string in;
  for (int i = 0; i < 300; ++i) {
    json ev;
    ev["type"] = (i % 3 == 0) ? "assistant" : "tool_result";
    ev["session_id"] = "s-" + std::to_string(i);
    ev["index"] = i;
    ev["usage"] = {{"input_tokens", rng() % 5000}, {"cache", i % 2 == 0}};
    std::string text = "step " + std::to_string(i) + " \"quoted\" \\ tab\t uni \u00e9";
    if (i % 4 == 0) {
      text += " leaked " + secrets[rng() % secrets.size()] + " end";
    }
    ev["message"] = {{"content", json::array({{{"type", "text"}, {"text", text}}})}};
    std::string line = ev.dump(-1, ' ', i % 2 == 0);  // every other line escapes non-ASCII
    in += line + "\n";
  }
  std::vector<std::string_view> chunks;
  for (size_t pos = 0; pos < in.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 97, in.size() - pos);
    chunks.push_back(std::string_view(in).substr(pos, n));
    pos += n;
  }
  auto r = runChunks(builtinSet(), chunks, InputFormat::kJsonLines);
  EXPECT_EQ(r.out, runOnce(builtinSet(), in, InputFormat::kJsonLines).out);
  auto in_lines = lines(in);
  auto out_lines = lines(r.out);
  ASSERT_EQ(in_lines.size(), out_lines.size());
  for (size_t i = 0; i < in_lines.size(); ++i) {
    json a = json::parse(in_lines[i], nullptr, false);
    json b = json::parse(out_lines[i], nullptr, false);
    ASSERT_FALSE(b.is_discarded()) << out_lines[i];
    EXPECT_TRUE(sameShape(a, b)) << out_lines[i];
  }
  for (const std::string& s : secrets) {
    EXPECT_EQ(r.out.find(s), std::string::npos) << s;
  }
  EXPECT_GE(r.findings.size(), 70U);
}

TEST(JsonLines, OneByteAtATimeMatchesOnePass) {
  const std::string in = R"({"t":"x )" + std::string(kGhp) + R"("})" + "\n" + R"([1,"a@corp.io"])";
  EXPECT_EQ(runBytewise(builtinSet(), in, InputFormat::kJsonLines).out,
            runOnce(builtinSet(), in, InputFormat::kJsonLines).out);
}

TEST(JsonLines, OverlongLineFallsBackToStreamingText) {
  StreamOptions opts;
  opts.format = InputFormat::kJsonLines;
  opts.max_line_bytes = 64;
  auto red = StreamRedactor::open(builtinSet(), opts);
  ASSERT_TRUE(red.has_value());
  testing::StringSink sink;
  std::string in = "{\"t\":\"" + std::string(200, 'x') + " " + std::string(kGhp) + "\"}\n{}\n";
  for (size_t i = 0; i < in.size(); i += 10) {
    ASSERT_TRUE(red->write(std::string_view(in).substr(i, 10), sink).has_value());
    EXPECT_LE(red->heldBytes(), 64U + 10U + builtinSet()->maxHoldbackBytes());
  }
  ASSERT_TRUE(red->finish(sink).has_value());
  EXPECT_EQ(sink.out.find(kGhp), std::string::npos);
  EXPECT_NE(sink.out.find("\n{}\n"), std::string::npos);
}

TEST(JsonLineScanner, RejectsMalformedAndDeepInput) {
  for (const char* bad : {"{", "{\"a\"}", "[1,]", "\"abc", "tru", "{\"a\":1} x", "\"\\x\""}) {
    EXPECT_FALSE(rewriteJsonLine(bad, nullptr).has_value()) << bad;
  }
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_FALSE(rewriteJsonLine(deep, nullptr).has_value());
  EXPECT_TRUE(rewriteJsonLine(" {\"a\":[1,-2.5e+3,true,false,null,\"\\ud83d\\ude00\"]} ", nullptr)
                  .has_value());
}

}  // namespace
}  // namespace agentbox::redact
