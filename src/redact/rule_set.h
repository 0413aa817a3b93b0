// SPDX-License-Identifier: Apache-2.0
// File: rule_set.h
// The compiled, immutable rule set: a Vectorscan streaming database for the rules' triggers
// (which a DatabaseCache may keep between runs), a second one for the known-secret literals
// (compiled per run, never stored), one RE2 per rule for the confirm step and the fingerprint
// key.
// Build it once per run (or per `agentbox redact`) and share it: a RuleSet is thread-safe for
// concurrent readers; every StreamRedactor keeps its own Vectorscan scratch and stream.
#pragma once

#include <hs/hs.h>
#include <re2/re2.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "redact/charset.h"
#include "redact/confirm_prefilter.h"
#include "redact/rule.h"
#include "redact/short_literals.h"
#include "redact/stop_bytes.h"
#include "util/blob_cache.h"
#include "util/result.h"

namespace agentbox::redact {

// Where compiled rule databases are kept between runs (the app layer keeps them in the state
// dir). The key names everything the database is compiled from
// (every expression, flag and id, the mode and the Vectorscan version and platform), so a
// stored database is only ever used for exactly the rules it was compiled from. Loaded bytes
// that Vectorscan does not accept are a miss. Known secrets never pass through it.
using DatabaseCache = BlobCache;

struct RuleSetConfig {
  std::vector<Rule> rules;                 // built-ins (already filtered) + custom rules
  std::vector<std::string> known_secrets;  // exact values to redact in any encoding
  std::string home_dir;                    // rewritten to "~"; empty = off
  std::string hmac_key;                    // fingerprint key bytes (app/redaction_keys.h)
  const DatabaseCache* cache = nullptr;    // optional; nullptr compiles every time
};

struct HsDatabaseFree {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;

// What a compiled rule is made of; read by the engine, not meant for callers.
enum class RuleKind : uint8_t {
  kRegex,        // Vectorscan trigger + RE2 confirm
  kKnownSecret,  // exact literal, no confirm
  kHomeDir,      // literal that must not continue as a path component
};

// A rule's RE2 and its prefilter (confirm_prefilter.h), made on first use (Rule::lazy_confirm)
// or at once; thread-safe. Deriving all 145 built-in prefilters up front was ~6 ms of every
// run's start; a run meets the candidates of a few rules.
class ConfirmRegex {
 public:
  ConfirmRegex(std::string pattern, bool lazy);
  ConfirmRegex(const ConfirmRegex&) = delete;
  ConfirmRegex& operator=(const ConfirmRegex&) = delete;
  ConfirmRegex(ConfirmRegex&&) = delete;
  ConfirmRegex& operator=(ConfirmRegex&&) = delete;
  ~ConfirmRegex() = default;
  // The compiled regex, or null if RE2 rejected the pattern or ran out of memory (the engine
  // then fails closed); error() says why.
  const RE2* get() const;
  std::string error() const;
  // The facts every match of the regex satisfies; valid once get() has returned non-null.
  const detail::ConfirmPrefilter& prefilter() const { return prefilter_; }

 private:
  std::string pattern_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
  mutable detail::ConfirmPrefilter prefilter_;      // written before ready_ is published
  mutable std::atomic<const RE2*> ready_{nullptr};  // re_ once compiled and ok
};

struct CompiledRule {
  Rule rule;
  RuleKind kind = RuleKind::kRegex;
  std::unique_ptr<ConfirmRegex> confirm;  // kRegex only
  CharSet continue_chars;
  detail::StopBytes continue_end;  // finds the first byte outside continue_chars
  CharSet lead_chars;
  uint32_t back = 0;          // window start = trigger end - back
  uint32_t after = 0;         // window may reach trigger end + after
  std::string literal;        // kKnownSecret / kHomeDir
  bool base64_edges = false;  // kKnownSecret: extend over partial base64 characters
};

// One keyword (a Vectorscan expression or a short literal), a digit shape or a known-secret
// literal; several may wake the same rule.
struct Trigger {
  uint32_t rule = 0;    // index into rules()
  uint32_t length = 0;  // literal keyword length (0 for regex triggers)
  std::string literal;  // the keyword, for the idle-flush partial check ("" = regex)
  bool caseless = false;
};

class RuleSet {
 public:
  // Compiles everything or fails (fail closed: the caller must not pass output through).
  // Errors: kInvalidInput naming the rule whose regex Vectorscan or RE2 rejected.
  static Result<std::shared_ptr<const RuleSet>> build(RuleSetConfig config);

  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;
  ~RuleSet() = default;

  // The documented maximum of output a StreamRedactor (text mode) ever withholds, in bytes.
  size_t maxHoldbackBytes() const { return max_holdback_; }
  // Bytes always kept back at the end of a write (before an idle pause releases them).
  size_t tailHoldBytes() const { return tail_hold_; }
  // Known secrets too short to match, named by position ("known secret #2 (3 bytes)").
  const std::vector<std::string>& warnings() const { return warnings_; }
  // First 8 hex digits of HMAC-SHA-256(key, secret).
  std::string fingerprint(std::string_view secret) const;

  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::vector<Trigger>& triggers() const { return triggers_; }
  // Triggers evaluated by the engine's digit scanner: (trigger index, shape).
  const std::vector<std::pair<uint32_t, DigitShape>>& digitTriggers() const {
    return digit_triggers_;
  }
  // Triggers of 1-3 byte keywords, found by the engine's short-literal scanner instead of
  // Vectorscan (short_literals.h): every keyword of a rule whose keywords are all that short.
  [[nodiscard]] const detail::ShortLiterals& shortLiterals() const { return short_literals_; }
  // The rules' and home dir's triggers (null if there are none), and the known secrets'
  // (null if there are none). Match ids of both are trigger indices.
  const hs_database_t* database() const { return db_.get(); }
  const hs_database_t* secretDatabase() const { return secret_db_.get(); }
  // True if database() came from the DatabaseCache rather than a compile.
  bool databaseFromCache() const { return from_cache_; }

 private:
  RuleSet() = default;
  Status addRule(Rule rule);
  void addLiteral(CompiledRule cr, bool secret);
  void addHomeDir(std::string home);  // "" or "/" adds nothing
  void addKnownSecrets(const std::vector<std::string>& values);
  Status compileDatabases(const DatabaseCache* cache);
  // One streaming database of the expressions that are (secret) or are not known secrets;
  // null if there are none.
  Result<HsDatabase> compileExpressions(bool secret) const;
  // The DatabaseCache key: the non-secret expressions with their flags and ids, the mode and
  // Vectorscan's version and platform, as text.
  std::string databaseKey() const;

  std::vector<CompiledRule> rules_;
  std::vector<Trigger> triggers_;
  std::vector<std::string> expressions_;  // Vectorscan sources
  std::vector<unsigned> flags_;           // parallel to expressions_
  std::vector<uint32_t> expr_trigger_;    // expression -> trigger (the Vectorscan match id)
  std::vector<bool> expr_secret_;         // expression -> belongs to secret_db_
  std::vector<std::pair<uint32_t, DigitShape>> digit_triggers_;
  std::vector<detail::ShortLiteral> short_pending_;  // becomes short_literals_ in build()
  detail::ShortLiterals short_literals_;
  HsDatabase db_;
  HsDatabase secret_db_;
  bool from_cache_ = false;
  std::string hmac_key_;
  std::vector<std::string> warnings_;
  size_t max_holdback_ = 0;
  size_t tail_hold_ = 0;
};

}  // namespace agentbox::redact
