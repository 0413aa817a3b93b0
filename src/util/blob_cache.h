// SPDX-License-Identifier: Apache-2.0
// File: blob_cache.h
// A store of derived data kept between runs (compiled rule databases, seccomp programs), so
// that a cold start does not redo milliseconds of work whose inputs did not change. `key`
// names every input exactly (the store hashes it); a load returns bytes only if they were
// stored under that key. Callers must still treat loaded bytes as untrusted input and fall
// back to computing when they do not parse. The app layer keeps it in the state dir
// (app/state_cache.h); pure layers take it as an optional parameter.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace agentbox {

struct BlobCache {
  std::function<std::optional<std::string>(std::string_view key)> load;
  std::function<void(std::string_view key, std::string_view bytes)> store;
};

}  // namespace agentbox
