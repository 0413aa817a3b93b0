# SPDX-License-Identifier: Apache-2.0
# The third-party libraries as agentbox::<name> targets, shared or static (AGENTBOX_STATIC_DEPS).
# Layers link these, never the package targets directly, so that one switch decides for all.

# agentbox_static_dep(NAME LIBFILE INCLUDE_DIRS [DEPS...]): an imported static archive.
function(agentbox_static_dep name file includes)
  find_library(AGENTBOX_${name}_ARCHIVE NAMES ${file} REQUIRED NO_CACHE)
  add_library(agentbox::${name} STATIC IMPORTED GLOBAL)
  set_target_properties(agentbox::${name} PROPERTIES IMPORTED_LOCATION "${AGENTBOX_${name}_ARCHIVE}")
  target_include_directories(agentbox::${name} INTERFACE ${includes})
  target_link_libraries(agentbox::${name} INTERFACE ${ARGN})
endfunction()

# agentbox_shared_dep(NAME TARGET): an alias of the package's own target.
function(agentbox_shared_dep name target)
  add_library(agentbox::${name} INTERFACE IMPORTED GLOBAL)
  target_link_libraries(agentbox::${name} INTERFACE ${target})
endfunction()

add_library(agentbox::toml INTERFACE IMPORTED GLOBAL)
target_include_directories(agentbox::toml INTERFACE ${TOMLPP_INCLUDE_DIRS})
if(AGENTBOX_STATIC_DEPS)
  agentbox_static_dep(crypto libcrypto.a "${OPENSSL_INCLUDE_DIR}" ${CMAKE_DL_LIBS} Threads::Threads)
  agentbox_static_dep(ssl libssl.a "${OPENSSL_INCLUDE_DIR}" agentbox::crypto)
  agentbox_static_dep(hs libhs.a "${HS_INCLUDE_DIRS}")
  agentbox_static_dep(re2 libre2.a "${RE2_INCLUDE_DIRS}" Threads::Threads)
  agentbox_static_dep(seccomp libseccomp.a "${SECCOMP_INCLUDE_DIRS}")
  agentbox_shared_dep(fmt fmt::fmt-header-only)
  # toml++ compiled into the one layer that parses TOML (Debian's .pc asks for its .so).
  target_compile_definitions(agentbox::toml INTERFACE TOML_HEADER_ONLY=1)
else()
  agentbox_shared_dep(crypto OpenSSL::Crypto)
  agentbox_shared_dep(ssl OpenSSL::SSL)
  agentbox_shared_dep(hs PkgConfig::HS)
  agentbox_shared_dep(re2 PkgConfig::RE2)
  agentbox_shared_dep(seccomp PkgConfig::SECCOMP)
  agentbox_shared_dep(fmt fmt::fmt)
  target_link_libraries(agentbox::toml INTERFACE PkgConfig::TOMLPP)
endif()
