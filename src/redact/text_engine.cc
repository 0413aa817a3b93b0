// SPDX-License-Identifier: Apache-2.0
// File: text_engine.cc
// Streaming candidate windows over Vectorscan triggers. This file is the Vectorscan adapter:
// it is the only place in redact/ that catches std::bad_alloc, turning memory exhaustion into
// the fail-closed state instead of an escaping exception.
#include "redact/text_engine.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <tuple>

#include "redact/byte_count.h"
#include "redact/validators.h"

namespace agentbox::redact {

namespace {

constexpr size_t kMaxScanPiece = size_t{1} << 30;  // hs_scan_stream takes an unsigned length
constexpr size_t kTrimSlack = 4096;
constexpr int kMaxGroups = 3;  // capturing groups of a confirm regex the engine looks at

bool sameByte(unsigned char a, unsigned char b, bool caseless) {
  if (a == b) {
    return true;
  }
  if (!caseless) {
    return false;
  }
  auto fold = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
  };
  return fold(a) == fold(b);
}

std::string expandReplacement(const Rule& rule, std::string_view fp) {
  const std::string_view tpl = rule.replacement.empty() ? std::string_view("[REDACTED:{id}:{fp}]")
                                                        : std::string_view(rule.replacement);
  std::string out;
  for (size_t i = 0; i < tpl.size();) {
    if (tpl.substr(i, 4) == "{id}") {
      out += rule.id;
      i += 4;
    } else if (tpl.substr(i, 4) == "{fp}") {
      out += fp;
      i += 4;
    } else if (tpl.substr(i, 7) == "{class}") {
      out += ruleClassName(rule.rule_class);
      i += 7;
    } else {
      out += tpl[i++];
    }
  }
  return out;
}

// The first group that took part (alternatives may each have their own), else the whole
// match; with `middle` (ConfirmPrefilter::groupIsMiddle) group 1 is the match without its
// first and last byte, which RE2 was not asked to capture.
re2::StringPiece redactedGroup(const re2::StringPiece* groups, int ngroups, bool middle) {
  if (middle) {
    return {groups[0].data() + 1, groups[0].size() - 2};  // the match has both edge bytes
  }
  for (int k = 1; k < ngroups; ++k) {
    if (groups[k].data() != nullptr) {
      return groups[k];
    }
  }
  return groups[0];
}

}  // namespace

Result<std::unique_ptr<TextEngine>> TextEngine::open(std::shared_ptr<const RuleSet> rules) {
  std::unique_ptr<TextEngine> e(new TextEngine(std::move(rules)));
  e->last_open_.assign(e->rules_->rules().size(), -1);
  // One scratch serves both databases (hs_alloc_scratch grows it to fit each).
  for (auto [db, stream] : {std::pair(e->rules_->database(), &e->stream_),
                            std::pair(e->rules_->secretDatabase(), &e->secret_stream_)}) {
    if (db == nullptr) {
      continue;
    }
    if (hs_alloc_scratch(db, &e->scratch_) != HS_SUCCESS) {
      return makeError(Errc::kResource, "redaction: cannot allocate Vectorscan scratch");
    }
    if (hs_open_stream(db, 0, stream) != HS_SUCCESS) {
      return makeError(Errc::kResource, "redaction: cannot open a Vectorscan stream");
    }
  }
  return e;
}

TextEngine::~TextEngine() {
  for (hs_stream_t* stream : {stream_, secret_stream_}) {
    if (stream != nullptr) {
      hs_close_stream(stream, nullptr, nullptr, nullptr);
    }
  }
  if (scratch_ != nullptr) {
    hs_free_scratch(scratch_);
  }
}

int TextEngine::onMatch(unsigned id, unsigned long long /*from*/, unsigned long long to,
                        unsigned /*flags*/, void* ctx) {
  auto* self = static_cast<TextEngine*>(ctx);
  self->matches_.emplace_back(id, to);
  return 0;
}

Status TextEngine::fail(std::string reason) {
  failed_ = true;
  failure_ = std::move(reason);
  buf_.clear();
  buf_.shrink_to_fit();
  chunk_ = nullptr;
  chunk_base_ = end_;
  open_.clear();
  std::fill(last_open_.begin(), last_open_.end(), -1);
  spans_.clear();
  emit_ = end_;
  return makeError(Errc::kInternal, "redaction engine failed: {}; output withheld", failure_);
}

Status TextEngine::scan(std::span<const std::byte> bytes) {
  if (inject_failure_) {
    inject_failure_ = false;
    return fail("injected failure");
  }
  const char* data = reinterpret_cast<const char*>(bytes.data());
  chunk_ = data;
  chunk_base_ = end_;
  end_ += bytes.size();
  // Each matcher reports by end offset; their lists are merged into one such order (ip-v6 has
  // triggers from two of them: mergeByEnd says why that matters).
  for (hs_stream_t* stream : {stream_, secret_stream_}) {
    if (stream == nullptr) {
      continue;
    }
    const size_t before = matches_.size();
    for (size_t off = 0; off < bytes.size(); off += kMaxScanPiece) {
      const size_t n = std::min(kMaxScanPiece, bytes.size() - off);
      hs_error_t rc = hs_scan_stream(stream, data + off, static_cast<unsigned>(n), 0, scratch_,
                                     &TextEngine::onMatch, this);
      if (rc != HS_SUCCESS) {
        return fail(fmt::format("Vectorscan scan error {}", rc));
      }
    }
    detail::mergeByEnd(matches_, 0, before, merge_scratch_);
  }
  if (shapes_.active()) {
    const size_t before = matches_.size();
    shapes_.scan(data, bytes.size(), end_ - bytes.size(), matches_);
    detail::mergeByEnd(matches_, 0, before, merge_scratch_);
  }
  if (short_.active()) {
    const size_t before = matches_.size();
    short_.scan(data, bytes.size(), end_ - bytes.size(), matches_);
    detail::mergeByEnd(matches_, 0, before, merge_scratch_);
  }
  for (const auto& [trigger, to] : matches_) {
    addCandidate(trigger, to);
  }
  matches_.clear();
  advance(false);
  if (!pending_failure_.empty()) {
    return fail(pending_failure_);
  }
  return ok();
}

void TextEngine::addCandidate(uint32_t trigger, uint64_t to) {
  const Trigger& tr = rules_->triggers()[trigger];
  const CompiledRule& cr = rules_->rules()[tr.rule];
  uint64_t ws = to > cr.back ? to - cr.back : 0;
  ws = std::max(ws, base_);
  const uint64_t hold = cr.rule.hold == HoldFrom::kKeywordEnd ? to : ws;
  const uint64_t limit = to + cr.after;
  if (cr.kind == RuleKind::kRegex && last_open_[tr.rule] >= 0) {
    // A later trigger of the same rule inside an open window joins it (bounded), so a run of
    // digits or a repeated keyword costs one confirm, not one per trigger. The decision looks
    // only at bytes before `to`, which every chunking has seen by now: output stays the same
    // however the input was split.
    Candidate& c = open_[static_cast<size_t>(last_open_[tr.rule])];
    if (advanceOne(c, false, to)) {
      c.done = true;
      last_open_[tr.rule] = -1;
      resolve(c, false);
    } else if (limit <= c.win_start + cr.back + cr.after) {
      c.force_until = std::max(c.force_until, to);
      c.merged.push_back(to);
      c.limit = std::max(c.limit, limit);
      c.hold = std::min(c.hold, hold);
      return;
    }
  }
  if (cr.kind == RuleKind::kRegex && tooShortToMatch(cr, ws, to, limit)) {
    last_open_[tr.rule] = -1;  // as if it had been opened and resolved to nothing
    ++left_out_;
    return;
  }
  if (cr.kind == RuleKind::kRegex) {
    last_open_[tr.rule] = static_cast<int64_t>(open_.size());
  }
  open_.push_back({tr.rule, tr.length, ws, to, to, to, limit, hold, to, {}});
}

// Most near-miss triggers (`ghp_short`, `AKIA `) end their window at once, too short for any
// match: such a candidate would be opened only to be resolved to nothing in this write. It is
// only skipped when nothing else can tell the difference: its window is complete in the bytes
// at hand, so it holds no output back; a later trigger of the rule inside the window (which
// would have joined it) makes a window no longer than this one, also too short; and the rule's
// triggers all come from one matcher, in order of their end (RuleSet gives all of a rule's
// keywords to Vectorscan or all to the short-literal scanner; a rule that also has a digit
// shape gets triggers out of order) and it has no end marker.
bool TextEngine::tooShortToMatch(const CompiledRule& cr, uint64_t ws, uint64_t to,
                                 uint64_t limit) const {
  if (cr.rule.digit_shape != DigitShape::kNone || !cr.rule.end_marker.empty()) {
    return false;
  }
  const RE2* re = cr.confirm->get();  // derives the prefilter; null: resolve() reports it
  if (re == nullptr) {
    return false;
  }
  // The confirm text is [context byte][ws, scan)[terminator]: too short while
  // scan < ws + shortest - 2.
  const uint64_t shortest = cr.confirm->prefilter().rejectsShorterThan();
  if (ws + shortest < to + 3) {
    return false;  // even a window that ends at `to` could hold a match
  }
  const uint64_t bound = std::min({end_, limit, ws + shortest - 2});
  return to < bound && firstOutside(cr.continue_end, to, bound) < bound;
}

// True when the candidate's window is complete, looking at bytes before `max_pos` only.
bool TextEngine::advanceOne(Candidate& c, bool eof, uint64_t max_pos) {
  const CompiledRule& cr = rules_->rules()[c.rule];
  const uint64_t stop = std::min({end_, c.limit, max_pos});
  bool terminated = false;
  if (c.scan < stop) {
    // Up to force_until the window continues whatever the bytes; then up to the first byte
    // outside continue_chars.
    c.scan = std::max(c.scan, std::min(c.force_until, stop));
    c.scan = firstOutside(cr.continue_end, c.scan, stop);
    terminated = c.scan < stop;
  }
  // The end marker is looked for in everything scanned so far, before the terminator counts,
  // so the window ends at the first of them whatever the chunking.
  const std::string& marker = cr.rule.end_marker;
  if (!marker.empty() && c.scan > c.marker_from) {
    const std::string_view view = range(c.marker_from, c.scan, scratch_text_);
    size_t p = view.find(marker);
    if (p == std::string_view::npos) {
      c.marker_from = std::max(c.marker_from, c.scan - std::min<uint64_t>(c.scan, marker.size()));
    } else {
      size_t q = view.find("-----", p + marker.size());
      if (q != std::string_view::npos) {
        c.scan = c.marker_from + q + 5;
        return true;
      }
      c.marker_from += p;
    }
  }
  if (terminated) {
    return true;
  }
  // At the limit the byte after the window is part of the confirm (a boundary class), so
  // wait until it has arrived: a chunk ending exactly there must not change the decision.
  return (c.scan >= c.limit && end_ > c.scan) || (eof && max_pos >= end_);
}

uint64_t TextEngine::firstOutside(const detail::StopBytes& stops, uint64_t from,
                                  uint64_t to) const {
  auto scan_piece = [&stops](const char* p, size_t n) { return stops.find(p, n); };
  if (from < std::min(to, chunk_base_)) {
    const auto n = static_cast<size_t>(std::min(to, chunk_base_) - from);
    const size_t i = scan_piece(buf_.data() + (from - base_), n);
    if (i < n) {
      return from + i;
    }
    from += n;
  }
  if (from < to) {
    from += scan_piece(chunk_ + (from - chunk_base_), static_cast<size_t>(to - from));
  }
  return from;
}

void TextEngine::advance(bool eof) {
  for (Candidate& c : open_) {
    if (!c.done && advanceOne(c, eof, end_)) {
      c.done = true;
      resolve(c, eof && c.scan >= end_);
    }
  }
  // Compact in one pass (erasing one by one is quadratic when a chunk holds thousands of
  // near-miss triggers) and re-index each rule's newest open candidate.
  std::fill(last_open_.begin(), last_open_.end(), -1);
  size_t kept = 0;
  for (size_t i = 0; i < open_.size(); ++i) {
    if (!open_[i].done) {
      if (kept != i) {
        open_[kept] = std::move(open_[i]);
      }
      last_open_[open_[kept].rule] = static_cast<int64_t>(kept);
      ++kept;
    }
  }
  open_.resize(kept);
}

bool TextEngine::acceptValue(const CompiledRule& cr, std::string_view value,
                             std::string_view match) const {
  if (value.empty()) {
    return false;
  }
  for (const std::string& a : cr.rule.allow) {
    if (value == a) {
      return false;
    }
  }
  if (cr.rule.skip_placeholders && isPlaceholder(value)) {
    return false;
  }
  if (cr.rule.min_entropy > 0 && shannonEntropy(value) < cr.rule.min_entropy) {
    return false;
  }
  return passesValidator(cr.rule.validator, value, match);
}

// [context byte][window][terminator]; a virtual '\n' stands for the start or end of input.
// Where those bytes are all real, the view is of them where they are (no copy).
std::string_view TextEngine::confirmText(const Candidate& c) {
  if (c.win_start > base_ && c.scan < end_) {
    return range(c.win_start - 1, c.scan + 1, text_);
  }
  text_.clear();
  text_ += c.win_start > base_ ? static_cast<char>(at(c.win_start - 1)) : '\n';
  appendRange(c.win_start, c.scan, text_);
  text_ += c.scan < end_ ? static_cast<char>(at(c.scan)) : '\n';
  return text_;
}

void TextEngine::resolve(const Candidate& c, bool cut) {
  const CompiledRule& cr = rules_->rules()[c.rule];
  if (cr.kind != RuleKind::kRegex) {
    resolveLiteral(c);
    return;
  }
  const std::string_view text = confirmText(c);
  const re2::StringPiece input(text.data(), text.size());
  const RE2* confirm = cr.confirm->get();
  if (confirm == nullptr) {
    // Failed after the candidate was opened: write()/finish() turn this into fail() before
    // anything more is emitted (the held bytes are never released).
    if (pending_failure_.empty()) {
      pending_failure_ = fmt::format("rule {}: RE2 could not compile its regex ({})", cr.rule.id,
                                     cr.confirm->error());
    }
    return;
  }
  re2::StringPiece groups[kMaxGroups + 1];
  // Without capture groups RE2 needs only its DFA, several times cheaper on a match.
  const detail::ConfirmPrefilter& prefilter = cr.confirm->prefilter();
  bool middle = prefilter.groupIsMiddle();
  const int ngroups = middle ? 1 : std::min(confirm->NumberOfCapturingGroups(), kMaxGroups) + 1;
  bool found = false;
  // The prefilter is false only where RE2 would find no match at all (confirm_prefilter.h).
  size_t pos = prefilter.mayMatch(text) ? 0 : text.size();
  while (pos < text.size() &&
         confirm->Match(input, pos, text.size(), RE2::UNANCHORED, groups, ngroups)) {
    re2::StringPiece g = redactedGroup(groups, ngroups, middle);
    const auto gs = static_cast<size_t>(g.data() - text.data());
    const size_t ge = gs + g.size();
    const auto ms = static_cast<size_t>(groups[0].data() - text.data());
    const size_t me = ms + groups[0].size();
    // text[i] is stream offset win_start + i - 1. A match another trigger's window owns is
    // left to that window, so a match never depends on where a window happened to start.
    if (!c.owns(c.win_start + ms - std::min<size_t>(ms, 1), c.win_start + me - 1)) {
      pos = ms + 1;
      continue;
    }
    if (!g.empty()) {
      const uint64_t s = std::max<uint64_t>(c.win_start + gs, c.win_start + 1) - 1;
      const uint64_t e = std::min<uint64_t>(c.win_start + ge - 1, c.scan);
      if (s < e && acceptValue(cr, std::string_view(g.data(), g.size()),
                               std::string_view(groups[0].data(), groups[0].size()))) {
        addSpan(s, e, c.rule);
        found = true;
      }
    }
    size_t next = g.empty() ? me : ge;
    pos = next > pos ? next : pos + 1;
  }
  if (!found && cut && cr.rule.redact_truncated && c.keyword_length > 0 &&
      c.scan >= c.trigger_end + 8) {
    addSpan(c.trigger_end - c.keyword_length, c.scan, c.rule);
  }
}

void TextEngine::resolveLiteral(const Candidate& c) {
  const CompiledRule& cr = rules_->rules()[c.rule];
  const uint64_t len = cr.literal.size();
  if (c.trigger_end < len) {
    return;
  }
  uint64_t s = c.trigger_end - len;
  uint64_t e = c.trigger_end;
  if (cr.kind == RuleKind::kHomeDir) {
    static const CharSet kPathChar = CharSet::parse("A-Za-z0-9._\\-");
    if (e < end_ && kPathChar.has(at(e))) {
      return;  // /home/alice2 is not /home/alice
    }
    addSpan(s, e, c.rule);
    return;
  }
  if (cr.base64_edges) {
    // The characters next to a shifted base64 form mix secret bits with neighbours'.
    static const CharSet kB64 = CharSet::parse("A-Za-z0-9+/_\\-");
    for (int k = 0; k < 2 && s > c.win_start && s > base_ && kB64.has(at(s - 1)); ++k) {
      --s;
    }
    e = std::max(e, c.scan);
  }
  addSpan(s, e, c.rule);
}

void TextEngine::addSpan(uint64_t start, uint64_t end, uint32_t rule) {
  if (end <= emit_) {
    return;  // cannot happen while the holdback invariant holds; tests check output instead
  }
  start = std::max(start, emit_);
  for (Span& s : spans_) {
    if (s.start == start && s.end == end) {
      const Severity a = rules_->rules()[s.rule].rule.severity;
      const Severity b = rules_->rules()[rule].rule.severity;
      if (b > a || (b == a && rule < s.rule)) {
        s.rule = rule;
      }
      return;
    }
  }
  Span span{start, end, rule};
  // A total order, so groups and their winners do not depend on resolution order.
  auto it = std::upper_bound(spans_.begin(), spans_.end(), span, [](const Span& a, const Span& b) {
    return std::tie(a.start, a.end, a.rule) < std::tie(b.start, b.end, b.rule);
  });
  spans_.insert(it, span);
}

uint64_t TextEngine::holdPoint(uint64_t boundary) const {
  for (const Candidate& c : open_) {
    boundary = std::min(boundary, c.hold);
  }
  return std::max(boundary, emit_);
}

size_t TextEngine::idleTail() const {
  const size_t avail = static_cast<size_t>(end_ - emit_);
  size_t hold = 0;
  for (const Trigger& t : rules_->triggers()) {
    const CompiledRule& cr = rules_->rules()[t.rule];
    size_t k = 0;
    // Longest proper prefix of the keyword that the held bytes end with.
    const size_t lit_len = t.literal.size();
    for (size_t cand = std::min(lit_len > 0 ? lit_len - 1 : 0, avail); cand > 0; --cand) {
      const uint64_t from = end_ - cand;
      if (!sameByte(at(from), static_cast<unsigned char>(t.literal[0]), t.caseless)) {
        continue;
      }
      size_t i = 1;
      while (i < cand &&
             sameByte(at(from + i), static_cast<unsigned char>(t.literal[i]), t.caseless)) {
        ++i;
      }
      if (i == cand) {
        k = cand;
        break;
      }
    }
    size_t run = 0;
    const uint32_t lead_max = cr.rule.before_bytes;
    while (run < lead_max && k + run < avail && cr.lead_chars.has(at(end_ - k - run - 1))) {
      ++run;
    }
    hold = std::max(hold, k + run);
  }
  return std::min(hold, avail);
}

void TextEngine::emitPiece(const char* p, size_t n, uint64_t from) {
  if (!track_lines_) {
    return;
  }
  const auto lines = static_cast<uint64_t>(detail::countByte(p, n, '\n'));
  if (lines > 0) {
    line_ += lines;
    const auto* last = static_cast<const char*>(memrchr(p, '\n', n));
    line_start_ = from + static_cast<uint64_t>(last - p) + 1;
  }
}

Status TextEngine::emitRaw(uint64_t from, uint64_t to, Sink& sink) {
  if (to <= from) {
    return ok();
  }
  emit_ = to;
  if (from < chunk_base_) {
    // The held bytes of earlier writes, then (below) the caller's.
    const uint64_t mid = std::min(to, chunk_base_);
    const char* p = buf_.data() + (from - base_);
    const auto n = static_cast<size_t>(mid - from);
    emitPiece(p, n, from);
    AGENTBOX_TRY(sink.write(std::as_bytes(std::span<const char>(p, n))));
    from = mid;
  }
  if (from < to) {
    const char* p = chunk_ + (from - chunk_base_);
    const auto n = static_cast<size_t>(to - from);
    emitPiece(p, n, from);
    return sink.write(std::as_bytes(std::span<const char>(p, n)));
  }
  return ok();
}

Status TextEngine::emitGroup(size_t count, Sink& sink) {
  uint64_t s = spans_[0].start;
  uint64_t e = spans_[0].end;
  uint32_t winner = spans_[0].rule;
  for (size_t i = 1; i < count; ++i) {
    e = std::max(e, spans_[i].end);
    const Rule& a = rules_->rules()[winner].rule;
    const Rule& b = rules_->rules()[spans_[i].rule].rule;
    if (b.severity > a.severity || (b.severity == a.severity && spans_[i].rule < winner)) {
      winner = spans_[i].rule;
    }
  }
  // If the sink fails here the group stays queued: a later emit writes its replacement
  // instead of passing the secret through as plain bytes.
  AGENTBOX_TRY(emitRaw(emit_, s, sink));
  spans_.erase(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(count));
  const Rule& rule = rules_->rules()[winner].rule;
  const std::string_view secret = range(s, e, scratch_text_);
  Finding f;
  f.start = s;
  f.end = e;
  f.line = line_;
  f.column = s - line_start_ + 1;
  f.rule_id = rule.id;
  f.rule_class = rule.rule_class;
  f.severity = rule.severity;
  f.fingerprint = rules_->fingerprint(secret);
  if (track_lines_) {
    for (size_t i = 0; i < secret.size(); ++i) {
      if (secret[i] == '\n') {
        ++line_;
        line_start_ = s + i + 1;
      }
    }
  }
  f.end_line = line_;
  f.end_column = e - line_start_ + 1;
  ++counts_.by_rule[rule.id];
  ++counts_.by_class[std::string(ruleClassName(rule.rule_class))];
  const std::string replacement = expandReplacement(rule, f.fingerprint);
  emit_ = e;
  if (rule.rule_class != RuleClass::kPath) {
    sink.onFinding(f);
  }
  return sink.write(std::as_bytes(std::span<const char>(replacement.data(), replacement.size())));
}

Status TextEngine::emitUpTo(uint64_t boundary, Sink& sink) {
  boundary = std::min(boundary, end_);
  // A group is written only once no span still to come can overlap it (its end is at or
  // before the boundary), so one replacement covers the union however the input was split.
  // Past the holdback maximum a group goes out anyway: still redacted, maybe split in two.
  const bool over = end_ - emit_ > rules_->maxHoldbackBytes() - rules_->tailHoldBytes();
  while (!spans_.empty() && spans_.front().start < boundary) {
    size_t n = 1;
    uint64_t e = spans_[0].end;
    while (n < spans_.size() && spans_[n].start < e) {
      e = std::max(e, spans_[n].end);
      ++n;
    }
    if (e > boundary && !over) {
      boundary = spans_.front().start;
      break;
    }
    AGENTBOX_TRY(emitGroup(n, sink));
  }
  if (emit_ < boundary) {
    AGENTBOX_TRY(emitRaw(emit_, boundary, sink));
  }
  trimHistory();
  return ok();
}

void TextEngine::appendRange(uint64_t from, uint64_t to, std::string& out) const {
  if (from < chunk_base_) {
    const uint64_t mid = std::min(to, chunk_base_);
    out.append(buf_, static_cast<size_t>(from - base_), static_cast<size_t>(mid - from));
    from = mid;
  }
  if (from < to) {
    out.append(chunk_ + (from - chunk_base_), static_cast<size_t>(to - from));
  }
}

std::string_view TextEngine::range(uint64_t from, uint64_t to, std::string& scratch) const {
  if (to <= chunk_base_) {
    return {buf_.data() + (from - base_), static_cast<size_t>(to - from)};
  }
  if (from >= chunk_base_) {
    return {chunk_ + (from - chunk_base_), static_cast<size_t>(to - from)};
  }
  scratch.clear();
  appendRange(from, to, scratch);
  return scratch;
}

// Drops the history no candidate or context byte can need, and at the end of a write copies
// what is still needed of the caller's bytes into buf_.
void TextEngine::trimHistory() {
  uint64_t lowest = emit_;
  for (const Candidate& c : open_) {
    lowest = std::min(lowest, c.win_start);
  }
  const uint64_t keep = rules_->tailHoldBytes() + 2;
  const uint64_t cut = lowest > base_ + keep ? lowest - keep : base_;
  if (chunk_base_ < end_ && cut >= chunk_base_) {
    buf_.assign(chunk_ + (cut - chunk_base_), static_cast<size_t>(end_ - cut));
    base_ = cut;
  } else {
    if (cut - base_ >= std::max<uint64_t>(kTrimSlack, buf_.size() / 2)) {
      buf_.erase(0, static_cast<size_t>(cut - base_));
      base_ = cut;
    }
    if (chunk_base_ < end_) {
      buf_.append(chunk_, static_cast<size_t>(end_ - chunk_base_));
    }
  }
  chunk_ = nullptr;
  chunk_base_ = end_;
}

Status TextEngine::write(std::span<const std::byte> bytes, Sink& sink) {
  if (failed_) {
    return makeError(Errc::kInternal, "redaction engine failed: {}; output withheld", failure_);
  }
  try {
    AGENTBOX_TRY(scan(bytes));
    const uint64_t tail = rules_->tailHoldBytes();
    Status st = emitUpTo(holdPoint(end_ > tail ? end_ - tail : 0), sink);
    if (chunk_ != nullptr) {
      trimHistory();  // a sink error returned before it: the caller's bytes go away now
    }
    return st;
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  }
}

Status TextEngine::flushIdle(Sink& sink) {
  if (failed_) {
    return makeError(Errc::kInternal, "redaction engine failed: {}; output withheld", failure_);
  }
  try {
    return emitUpTo(holdPoint(end_ - idleTail()), sink);
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  }
}

Status TextEngine::finish(Sink& sink) {
  if (failed_) {
    return makeError(Errc::kInternal, "redaction engine failed: {}; output withheld", failure_);
  }
  try {
    for (hs_stream_t* stream : {stream_, secret_stream_}) {
      // Reports end-of-data matches, then leaves the stream ready for reuse.
      if (stream != nullptr &&
          hs_reset_stream(stream, 0, scratch_, &TextEngine::onMatch, this) != HS_SUCCESS) {
        return fail("Vectorscan reset failed");
      }
    }
    for (const auto& [trigger, to] : matches_) {
      addCandidate(trigger, to);
    }
    matches_.clear();
    advance(true);
    if (!pending_failure_.empty()) {
      return fail(pending_failure_);
    }
    AGENTBOX_TRY(emitUpTo(end_, sink));
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  }
  buf_.clear();
  base_ = emit_ = end_ = chunk_base_ = 0;
  shapes_.reset();
  short_.reset();
  open_.clear();
  std::fill(last_open_.begin(), last_open_.end(), -1);
  spans_.clear();
  line_ = 1;
  line_start_ = 0;
  return ok();
}

}  // namespace agentbox::redact
