// SPDX-License-Identifier: Apache-2.0
// File: rule_set.cc
// Compiles rules into one Vectorscan streaming database plus per-rule RE2 confirm regexes.
#include "redact/rule_set.h"

#include <algorithm>
#include <cstdlib>

#include "redact/known_secrets.h"
#include "util/sha256.h"

namespace agentbox::redact {

namespace {

// Vectorscan source for an exact byte string.
std::string escapeLiteral(std::string_view lit) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(lit.size() * 4);
  for (char c : lit) {
    auto u = static_cast<unsigned char>(c);
    out += "\\x";
    out += kHex[u >> 4];
    out += kHex[u & 15U];
  }
  return out;
}

constexpr const char* kBase64Chars = "A-Za-z0-9+/=_\\-";

}  // namespace

ConfirmRegex::ConfirmRegex(std::string pattern, bool lazy) : pattern_(std::move(pattern)) {
  if (!lazy) {
    (void)get();
  }
}

const RE2* ConfirmRegex::get() const {
  // Every candidate asks: once compiled, one atomic load instead of std::call_once.
  if (const RE2* re = ready_.load(std::memory_order_acquire); re != nullptr) {
    return re;
  }
  std::call_once(once_, [this] {
    RE2::Options opts;
    opts.set_encoding(RE2::Options::EncodingLatin1);  // output is bytes, not always UTF-8
    opts.set_log_errors(false);
    re_ = std::make_unique<RE2>(pattern_, opts);
    if (re_->ok()) {
      prefilter_ = detail::ConfirmPrefilter::fromRegex(pattern_);
      ready_.store(re_.get(), std::memory_order_release);
    }
  });
  return re_->ok() ? re_.get() : nullptr;
}

std::string ConfirmRegex::error() const {
  const RE2* re = get();
  return re != nullptr ? std::string() : re_->error();
}

Status RuleSet::addRule(Rule rule) {
  if (rule.id.empty()) {
    return makeError(Errc::kInvalidInput, "redaction rule without an id");
  }
  if (rule.regex.empty()) {
    return makeError(Errc::kInvalidInput, "redaction rule {}: empty regex", rule.id);
  }
  CompiledRule cr;
  cr.confirm = std::make_unique<ConfirmRegex>(rule.regex, rule.lazy_confirm);
  if (!rule.lazy_confirm && cr.confirm->get() == nullptr) {
    return makeError(Errc::kInvalidInput, "redaction rule {}: regex rejected by RE2: {}", rule.id,
                     cr.confirm->error());
  }
  cr.continue_chars =
      CharSet::parse(rule.continue_chars.empty() ? std::string_view("^\r\n") : rule.continue_chars);
  cr.lead_chars = CharSet::parse(rule.lead_chars);
  cr.after = rule.after_bytes;
  const auto index = static_cast<uint32_t>(rules_.size());
  uint32_t longest = 0;
  // All of a rule's keywords go to one matcher, so that its triggers arrive in order of their
  // end (TextEngine::tooShortToMatch relies on it).
  const bool all_short =
      !rule.keywords.empty() &&
      short_pending_.size() + rule.keywords.size() <= detail::ShortLiterals::kMaxLiterals &&
      std::all_of(rule.keywords.begin(), rule.keywords.end(),
                  [](const std::string& kw) { return detail::ShortLiterals::eligible(kw); });
  for (const std::string& kw : rule.keywords) {
    if (kw.empty()) {
      return makeError(Errc::kInvalidInput, "redaction rule {}: empty keyword", rule.id);
    }
    longest = std::max(longest, static_cast<uint32_t>(kw.size()));
    const auto trigger = static_cast<uint32_t>(triggers_.size());
    triggers_.push_back({index, static_cast<uint32_t>(kw.size()), kw, rule.keywords_caseless});
    if (all_short) {
      short_pending_.push_back({trigger, kw, rule.keywords_caseless});
      continue;
    }
    expr_trigger_.push_back(trigger);
    expressions_.push_back(escapeLiteral(kw));
    flags_.push_back(rule.keywords_caseless ? HS_FLAG_CASELESS : 0U);
    expr_secret_.push_back(false);
  }
  if (rule.digit_shape != DigitShape::kNone) {
    digit_triggers_.emplace_back(static_cast<uint32_t>(triggers_.size()), rule.digit_shape);
    triggers_.push_back({index, 0, "", false});
  } else if (rule.keywords.empty()) {
    // Literal triggers only: Vectorscan 5.4.9 in stream mode misses some matches of
    // class-led regexes (docs/redaction.md), and a missed trigger is a leaked secret.
    return makeError(Errc::kInvalidInput,
                     "redaction rule {}: needs at least one keyword (a literal that every match "
                     "contains)",
                     rule.id);
  }
  cr.back = longest + rule.before_bytes;
  cr.rule = std::move(rule);
  rules_.push_back(std::move(cr));
  return ok();
}

void RuleSet::addLiteral(CompiledRule cr, bool secret) {
  const auto index = static_cast<uint32_t>(rules_.size());
  const bool caseless = cr.rule.keywords_caseless;
  expr_trigger_.push_back(static_cast<uint32_t>(triggers_.size()));
  triggers_.push_back({index, static_cast<uint32_t>(cr.literal.size()), cr.literal, caseless});
  expressions_.push_back(escapeLiteral(cr.literal));
  flags_.push_back(caseless ? HS_FLAG_CASELESS : 0U);
  expr_secret_.push_back(secret);
  rules_.push_back(std::move(cr));
}

Result<HsDatabase> RuleSet::compileExpressions(bool secret) const {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::vector<size_t> which;
  for (size_t i = 0; i < expressions_.size(); ++i) {
    if (expr_secret_[i] == secret) {
      exprs.push_back(expressions_[i].c_str());
      flags.push_back(flags_[i]);
      ids.push_back(expr_trigger_[i]);
      which.push_back(i);
    }
  }
  if (exprs.empty()) {
    return HsDatabase();
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  hs_error_t rc =
      hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_STREAM, nullptr, &db, &err);
  if (rc != HS_SUCCESS) {
    std::string what = err != nullptr && err->message != nullptr ? err->message : "unknown error";
    std::string rule = "?";
    if (err != nullptr && err->expression >= 0 &&
        static_cast<size_t>(err->expression) < which.size()) {
      size_t expr = which[static_cast<size_t>(err->expression)];
      rule = rules_[triggers_[expr_trigger_[expr]].rule].rule.id;
    }
    hs_free_compile_error(err);
    return makeError(Errc::kInvalidInput, "redaction rule {}: Vectorscan rejected it: {}", rule,
                     what);
  }
  return HsDatabase(db);
}

std::string RuleSet::databaseKey() const {
  // Plain text, one field per line and each expression length-prefixed; the cache hashes it
  // into a file name (util/blob_cache.h).
  std::string key = fmt::format("agentbox rule database 2\nvectorscan {}\n", hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    key += fmt::format("platform {} {}\n", platform.tune, platform.cpu_features);
  }
  key += fmt::format("mode {}\n", HS_MODE_STREAM);
  for (size_t i = 0; i < expressions_.size(); ++i) {
    if (!expr_secret_[i]) {
      key += fmt::format("{} {} {}:{}\n", expr_trigger_[i], flags_[i], expressions_[i].size(),
                         expressions_[i]);
    }
  }
  return key;
}

Status RuleSet::compileDatabases(const DatabaseCache* cache) {
  // The rules' database is the same for every run with the same policy: take it from the cache
  // when it is there. A stored copy that does not deserialize (truncated, another build) is a
  // miss; what it was compiled from is fixed by the key.
  std::string key = cache != nullptr && cache->load && cache->store ? databaseKey() : "";
  if (!key.empty()) {
    if (std::optional<std::string> bytes = cache->load(key); bytes.has_value()) {
      hs_database_t* db = nullptr;
      if (hs_deserialize_database(bytes->data(), bytes->size(), &db) == HS_SUCCESS) {
        db_.reset(db);
        from_cache_ = true;
      }
    }
  }
  if (db_ == nullptr) {
    AGENTBOX_ASSIGN_OR_RETURN(db_, compileExpressions(false));
    char* bytes = nullptr;
    size_t size = 0;
    if (!key.empty() && db_ != nullptr &&
        hs_serialize_database(db_.get(), &bytes, &size) == HS_SUCCESS) {
      cache->store(key, std::string_view(bytes, size));
      std::free(bytes);  // NOLINT(cppcoreguidelines-no-malloc): Vectorscan's allocator is malloc
    }
  }
  AGENTBOX_ASSIGN_OR_RETURN(secret_db_, compileExpressions(true));
  return ok();
}

void RuleSet::addHomeDir(std::string home) {
  while (home.size() > 1 && home.back() == '/') {
    home.pop_back();
  }
  if (home.size() <= 1) {
    return;
  }
  CompiledRule cr;
  cr.kind = RuleKind::kHomeDir;
  cr.rule.id = "home-dir";
  cr.rule.rule_class = RuleClass::kPath;
  cr.rule.severity = Severity::kLow;
  cr.rule.confidence = 1.0;
  cr.rule.replacement = "~";
  cr.back = static_cast<uint32_t>(home.size());
  cr.after = 1;
  cr.literal = home;
  addLiteral(std::move(cr), false);
}

void RuleSet::addKnownSecrets(const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    if (value.size() < kMinKnownSecretBytes) {
      warnings_.push_back(
          fmt::format("known secret #{} ({} bytes) is shorter than {} bytes "
                      "and is not matched",
                      i + 1, value.size(), kMinKnownSecretBytes));
      continue;
    }
    for (const std::string& piece : knownSecretPieces(value)) {
      for (KnownForm& form : knownSecretForms(piece)) {
        CompiledRule cr;
        cr.kind = RuleKind::kKnownSecret;
        cr.rule.id = "known-secret";
        cr.rule.rule_class = RuleClass::kSecret;
        cr.rule.severity = Severity::kCritical;
        cr.rule.confidence = 1.0;
        cr.rule.keywords_caseless = form.caseless;
        cr.base64_edges = form.base64_edges;
        cr.back = static_cast<uint32_t>(form.literal.size()) + (form.base64_edges ? 2 : 0);
        cr.after = form.base64_edges ? 3 : 0;
        cr.continue_chars = CharSet::parse(form.base64_edges ? kBase64Chars : "");
        if (form.base64_edges) {  // up to 2 mixed characters before the stable form
          cr.rule.before_bytes = 2;
          cr.lead_chars = CharSet::parse(kBase64Chars);
        }
        cr.literal = std::move(form.literal);
        addLiteral(std::move(cr), true);
      }
    }
  }
}

Result<std::shared_ptr<const RuleSet>> RuleSet::build(RuleSetConfig config) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->hmac_key_ = std::move(config.hmac_key);
  set->rules_.reserve(config.rules.size() + 1);  // + the home dir; known secrets may grow it
  for (Rule& r : config.rules) {
    AGENTBOX_TRY(set->addRule(std::move(r)));
  }
  // The home dir before the known secrets: the rules' database (and its cache key) must not
  // depend on how many known-secret triggers there are.
  set->addHomeDir(config.home_dir);
  set->addKnownSecrets(config.known_secrets);
  AGENTBOX_ASSIGN_OR_RETURN(set->short_literals_,
                            detail::ShortLiterals::build(std::move(set->short_pending_)));
  AGENTBOX_TRY(set->compileDatabases(config.cache));
  for (CompiledRule& cr : set->rules_) {
    cr.continue_end = detail::StopBytes(cr.continue_chars);
    set->tail_hold_ = std::max<size_t>(set->tail_hold_, cr.back + 1);
  }
  for (const CompiledRule& cr : set->rules_) {
    set->max_holdback_ =
        std::max<size_t>(set->max_holdback_, cr.back + cr.after + 2 + set->tail_hold_);
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

std::string RuleSet::fingerprint(std::string_view secret) const {
  Sha256Digest md = hmacSha256(hmac_key_, secret);
  return fmt::format("{:02x}{:02x}{:02x}{:02x}", md[0], md[1], md[2], md[3]);
}

}  // namespace agentbox::redact
