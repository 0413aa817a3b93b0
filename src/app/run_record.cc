// SPDX-License-Identifier: Apache-2.0
// File: run_record.cc
#include "app/run_record.h"

#include <map>
#include <nlohmann/json.hpp>

#include "util/time.h"

namespace agentbox::app {

namespace {

nlohmann::json networkSection(const RunRecordInputs& in) {
  using nlohmann::json;
  bool proxy = in.policy.network.mode == policy::NetworkMode::kProxy;
  json connections = json::array();
  std::map<std::string, uint64_t> by_decision;
  uint64_t up = 0;
  uint64_t down = 0;
  uint64_t queued = 0;  // requests and tunnels that waited for a robots.txt Crawl-delay
  uint64_t waited_ms = 0;
  if (in.connections != nullptr) {
    for (const proxy::ConnectionEvent& e : *in.connections) {
      connections.push_back({{"time", rfc3339(e.time)},
                             {"host", e.host},
                             {"port", e.port},
                             {"method", e.method},
                             {"path", e.method == "CONNECT" ? json(nullptr) : json(e.path)},
                             {"decision", proxy::decisionName(e.decision)},
                             {"rule", e.rule},
                             {"status", e.status},
                             {"reason", e.reason.empty() ? json(nullptr) : json(e.reason)},
                             {"address", e.address.empty() ? json(nullptr) : json(e.address)},
                             {"bytes_up", e.bytes_up},
                             {"bytes_down", e.bytes_down},
                             {"duration_ms", e.duration_ms},
                             {"queued_ms", e.queued_ms}});
      ++by_decision[proxy::decisionName(e.decision)];
      if (e.queued_ms > 0) {
        ++queued;
        waited_ms += e.queued_ms;
      }
      up += e.bytes_up;
      down += e.bytes_down;
    }
  }
  json counts = json::object();
  if (proxy) {
    counts = {{"total", connections.size()},
              {"by_decision", by_decision},
              {"bytes_up", up},
              {"bytes_down", down},
              {"crawl_delay", {{"queued", queued}, {"waited_ms", waited_ms}}}};
  }
  return {{"mode", proxy ? "proxy" : "none"}, {"connections", connections}, {"counts", counts}};
}

nlohmann::json headJson(const RunRecordHead& in) {
  using nlohmann::json;
  json layers = json::array();
  for (const sandbox::LayerStatus& l : in.layers) {
    layers.push_back({{"name", l.name},
                      {"active", l.active},
                      {"detail", l.detail},
                      {"reason", l.reason.empty() ? json(nullptr) : json(l.reason)}});
  }
  return {
      {"schema", "agentbox.run/1"},
      {"id", in.id},
      {"argv", in.argv},
      {"workspace", in.workspace},
      {"mode", in.policy.filesystem.mode == policy::WorkspaceMode::kWrite ? "write" : "read-only"},
      {"started", rfc3339(in.started)},
      {"layers", layers},
  };
}

nlohmann::json tailJson(const RunRecordInputs& in) {
  using nlohmann::json;
  const sandbox::RunResult& r = in.result;
  json violations = json::array();
  for (const sandbox::Violation& v : r.violations) {
    violations.push_back({{"kind", v.kind},
                          {"subject", v.subject},
                          {"rule", v.rule},
                          {"time", rfc3339(v.time)},
                          {"pid", v.pid}});
  }
  const policy::Resources& res = in.policy.resources;
  return {
      {"ended", rfc3339(in.ended)},
      {"outcome", sandbox::outcomeName(r.outcome)},
      {"exit_code", r.exit_code},
      {"signal", r.signal.has_value() ? json(*r.signal) : json(nullptr)},
      {"error", r.error.empty() ? json(nullptr) : json(r.error)},
      {"limits",
       {{"timeout_ms", res.timeout_ms},
        {"tmp_size_bytes", res.tmp_size_bytes},
        {"memory_bytes", res.memory_bytes},
        {"cpus", res.cpus},
        {"pids", res.pids},
        {"nofile", res.nofile},
        {"output_limit_bytes", res.output_limit_bytes},
        {"enforced_by", r.limits_enforced ? "cgroup" : "rlimit"}}},
      {"usage",
       {{"wall_ms", r.wall_ms},
        {"cpu_ms", r.cpu_ms},
        {"peak_memory_bytes", r.peak_memory_bytes},
        {"peak_pids", r.peak_pids.has_value() ? json(*r.peak_pids) : json(nullptr)},
        {"pids_limit_hits",
         r.pids_limit_hits.has_value() ? json(*r.pids_limit_hits) : json(nullptr)},
        {"output_truncated", r.output_truncated}}},
      {"violations", violations},
      {"violations_suppressed", r.violations_suppressed},
      {"network", networkSection(in)},
      {"redaction",
       {{"state", in.redaction_state},
        {"by_rule", in.redaction_by_rule},
        {"by_class", in.redaction_by_class}}},
      {"warnings", in.warnings},
  };
}

// Invalid UTF-8 from argv must not make dump() throw: replace it.
std::string compactJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

RunRecordHead runRecordHead(const RunRecordInputs& in) {
  return {.id = in.id,
          .argv = in.argv,
          .workspace = in.workspace,
          .policy = in.policy,
          .started = in.started,
          .layers = in.result.layers};
}

std::string renderRunRecord(const RunRecordInputs& in) {
  nlohmann::json record = headJson(runRecordHead(in));
  record.update(tailJson(in));
  return compactJson(record);
}

std::string renderRunRecordHead(const RunRecordHead& in) {
  return compactJson(headJson(in));
}

std::string renderRunRecordTail(const RunRecordInputs& in) {
  return compactJson(tailJson(in));
}

std::optional<std::string> joinRunRecord(std::string_view head, std::string_view tail) {
  nlohmann::json h = nlohmann::json::parse(head, nullptr, /*allow_exceptions=*/false);
  nlohmann::json t = nlohmann::json::parse(tail, nullptr, /*allow_exceptions=*/false);
  if (!h.is_object() || !t.is_object()) {
    return std::nullopt;
  }
  h.update(t);
  return h.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string prettyRecord(std::string_view compact) {
  nlohmann::json j = nlohmann::json::parse(compact, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return std::string(compact) + "\n";
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace agentbox::app
