// SPDX-License-Identifier: Apache-2.0
// File: run_fixture.h
// A workspace (with the static probe copied in) and a state dir per test, and helpers that
// run `agentbox run --workspace WS [flags] -- CMD` with AGENTBOX_STATE_DIR pointing there.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace agentbox::testing {

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(probeBin(), ws_.file("probe"));
    ::chmod(ws_.file("probe").c_str(), 0755);
    writeFile(ws_.file("hello.txt"), "hello\n");
  }

  std::string stateDir() const { return state_.path() + "/state"; }

  Captured run(std::vector<std::string> cmd, std::vector<std::string> flags = {},
               SpawnOptions extra = {}) {
    SpawnOptions o = std::move(extra);
    o.args = {"run", "--workspace", ws_.path()};
    o.args.insert(o.args.end(), flags.begin(), flags.end());
    o.args.emplace_back("--");
    o.args.insert(o.args.end(), cmd.begin(), cmd.end());
    o.env["AGENTBOX_STATE_DIR"] = state_.path() + "/state";
    return runProcess(agentboxBin(), o);
  }
  Captured sh(const std::string& script, std::vector<std::string> flags = {}) {
    return run({"/bin/sh", "-c", script}, std::move(flags));
  }

  TempDir ws_{"agentbox-ws"};
  TempDir state_{"agentbox-state"};
};

}  // namespace agentbox::testing
