// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_ai.cc
// AI model providers: OpenAI, Anthropic, Hugging Face, Groq, and the rest of the fact sheet.
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

void addOpenAiAnthropic(std::vector<Rule>& rules) {
  Rule openai =
      token({"openai-api-key",
             RuleClass::kSecret,
             Severity::kCritical,
             0.95,
             {"sk-proj-", "sk-svcacct-", "sk-admin-"},
             R"re([^A-Za-z0-9_-](sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200})[^A-Za-z0-9_-])re",
             201,
             kB64Url});
  openai.name = "OpenAI project, service-account or admin key";
  rules.push_back(std::move(openai));
  Rule legacy =
      token({"openai-legacy-key",
             RuleClass::kSecret,
             Severity::kCritical,
             0.99,
             {"T3BlbkFJ"},
             R"re([^A-Za-z0-9_-](sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})[^A-Za-z0-9_-])re",
             21,
             kB62});
  legacy.name = "OpenAI user key (legacy)";
  legacy.before_bytes = 23;  // "sk-" + 20 characters precede the marker
  legacy.lead_chars = "A-Za-z0-9\\-";
  rules.push_back(std::move(legacy));
  Rule ant = token(
      {"anthropic-api-key",
       RuleClass::kSecret,
       Severity::kCritical,
       0.99,
       {"sk-ant-api", "sk-ant-admin"},
       R"re([^A-Za-z0-9_-](sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,128})[^A-Za-z0-9_-])re",
       140,
       kB64Url});
  ant.name = "Anthropic API or admin key";
  rules.push_back(std::move(ant));
  Rule oat =
      token({"anthropic-oauth-token",
             RuleClass::kSecret,
             Severity::kCritical,
             0.99,
             {"sk-ant-oat", "sk-ant-ort"},
             R"re([^A-Za-z0-9_-](sk-ant-o[ar]t[0-9]{2}-[A-Za-z0-9_-]{80,128})[^A-Za-z0-9_-])re",
             140,
             kB64Url});
  oat.name = "Anthropic OAuth token (Claude Code)";
  rules.push_back(std::move(oat));
}

void addOtherProviders(std::vector<Rule>& rules) {
  Rule hf = token({"huggingface-token",
                   RuleClass::kSecret,
                   Severity::kHigh,
                   0.9,
                   {"hf_"},
                   R"re([^A-Za-z0-9_](hf_[A-Za-z0-9]{34})[^A-Za-z0-9_])re",
                   35,
                   kB62});
  hf.name = "Hugging Face access token";
  hf.min_entropy = 3.0;
  rules.push_back(std::move(hf));
  Rule hforg = prefixed({"huggingface-org-token",
                         "Hugging Face organisation token",
                         {"api_org_"},
                         "api_org_[A-Za-z0-9]{34}",
                         34,
                         kB62});
  hforg.min_entropy = 3.0;
  rules.push_back(std::move(hforg));
  rules.push_back(
      prefixed({"groq-api-key", "Groq API key", {"gsk_"}, "gsk_[A-Za-z0-9]{52}", 52, kB62}));
  rules.push_back(prefixed({"openrouter-api-key",
                            "OpenRouter API key",
                            {"sk-or-v1-"},
                            "sk-or-v1-[a-f0-9]{64}",
                            64,
                            "a-f0-9"}));
  rules.push_back(
      prefixed({"xai-api-key", "xAI API key", {"xai-"}, "xai-[A-Za-z0-9_]{80}", 80, kB62}));
  rules.push_back(prefixed(
      {"perplexity-api-key", "Perplexity API key", {"pplx-"}, "pplx-[A-Za-z0-9]{48}", 48, kB62}));
  rules.push_back(prefixed({"replicate-api-token",
                            "Replicate API token",
                            {"r8_"},
                            "r8_[A-Za-z0-9_-]{37}",
                            37,
                            kB64Url}));
  rules.push_back(prefixed({"databricks-token",
                            "Databricks personal access token",
                            {"dapi"},
                            "dapi[a-f0-9]{32}(?:-[0-9])?",
                            34,
                            "a-f0-9\\-"}));
  rules.push_back(prefixed({"langsmith-api-key",
                            "LangSmith API key",
                            {"lsv2_pt_", "lsv2_sk_"},
                            "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}",
                            43,
                            "a-f0-9_"}));
  rules.push_back(prefixed({"pinecone-api-key",
                            "Pinecone API key",
                            {"pcsk_"},
                            "pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}",
                            70,
                            "A-Za-z0-9_"}));
  rules.push_back(contextual({"cohere-api-key",
                              "Cohere API key",
                              {"cohere", "co_api_key"},
                              "(?:cohere|co)[_-]?api[_-]?key",
                              "[A-Za-z0-9]{40}",
                              kB62}));
  rules.push_back(contextual({"mistral-api-key",
                              "Mistral AI API key",
                              {"mistral"},
                              "mistral[A-Za-z0-9_-]{0,12}(?:key|token)",
                              "[A-Za-z0-9]{32}",
                              kB62}));
  rules.push_back(contextual({"deepseek-api-key",
                              "DeepSeek API key",
                              {"deepseek"},
                              "deepseek[A-Za-z0-9_-]{0,12}(?:key|token)",
                              "sk-[a-f0-9]{32}",
                              "A-Za-z0-9\\-"}));
  rules.push_back(contextual({"wandb-api-key",
                              "Weights & Biases API key",
                              {"wandb"},
                              "wandb[A-Za-z0-9_-]{0,12}(?:key|token)",
                              "[a-f0-9]{40}",
                              "a-f0-9"}));
}

}  // namespace

void addAiRules(std::vector<Rule>& rules) {
  addOpenAiAnthropic(rules);
  addOtherProviders(rules);
}

}  // namespace agentbox::redact::detail
