// SPDX-License-Identifier: Apache-2.0
// File: capabilities.cc
// Capability drop + securebits + no_new_privs for the sandbox child (async-signal-safe).
#include "sandbox/capabilities.h"

#include <linux/securebits.h>

#include <cerrno>

#include "util/sys_harden.h"

namespace agentbox::sandbox {
namespace {

// Capability numbers are < 64 in every kernel the 64-bit masks here can describe.
constexpr int kMaxCap = 63;

// PR_CAPBSET_DROP for every capability the kernel knows; 0 or an errno.
int dropBoundingSet() {
  for (int cap = 0; cap <= kMaxCap; ++cap) {
    const int err = sys_harden::capBsetDrop(cap);
    if (err == EINVAL) {
      return 0;  // past CAP_LAST_CAP of this kernel
    }
    if (err == EPERM) {
      // Without CAP_SETPCAP (an earlier call dropped it) the kernel says EPERM before it
      // checks the number: fine if the cap is gone, the end if the number is past the last.
      int present = 1;
      const int read_err = sys_harden::capBsetRead(cap, &present);
      if (read_err == EINVAL) {
        return 0;
      }
      if (read_err == 0 && present == 0) {
        continue;
      }
    }
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

}  // namespace

uint64_t lockedSecurebits() {
  return SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
         SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
}

const char* capStepName(CapStep step) {
  switch (step) {
    case CapStep::kNone:
      return "none";
    case CapStep::kSecurebits:
      return "prctl(PR_SET_SECUREBITS)";
    case CapStep::kAmbient:
      return "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
    case CapStep::kBounding:
      return "prctl(PR_CAPBSET_DROP)";
    case CapStep::kCapset:
      return "capset";
    case CapStep::kNoNewPrivs:
      return "prctl(PR_SET_NO_NEW_PRIVS)";
    case CapStep::kVerify:
      return "verify capability sets";
  }
  return "unknown";
}

int dropCapabilities(CapStep* failed_step) {
  CapStep dummy = CapStep::kNone;
  CapStep& step = failed_step != nullptr ? *failed_step : dummy;
  step = CapStep::kNone;
  auto fail = [&](CapStep at, int err) {
    step = at;
    return err;
  };
  // Each step is skipped when already done: setting securebits and dropping from the
  // bounding set need CAP_SETPCAP even when nothing would change, so a repeated call (the
  // checklist may retry) would otherwise fail once the capabilities are gone.
  unsigned long bits = 0;
  if (int err = sys_harden::getSecurebits(&bits); err != 0) {
    return fail(CapStep::kSecurebits, err);
  }
  if ((bits & lockedSecurebits()) != lockedSecurebits()) {
    if (int err = sys_harden::setSecurebits(bits | lockedSecurebits()); err != 0) {
      return fail(CapStep::kSecurebits, err);
    }
  }
  if (int err = sys_harden::ambientClearAll(); err != 0) {
    return fail(CapStep::kAmbient, err);
  }
  if (int err = dropBoundingSet(); err != 0) {
    return fail(CapStep::kBounding, err);
  }
  if (int err = sys_harden::capsetClearAll(); err != 0) {
    return fail(CapStep::kCapset, err);
  }
  if (int err = sys_harden::setNoNewPrivs(); err != 0) {
    return fail(CapStep::kNoNewPrivs, err);
  }
  // Read-back of what one syscall each can show. The bounding set was checked call by call
  // above, and the ambient set cannot outlive an empty permitted set (the kernel keeps
  // ambient within permitted and inheritable), so neither needs a per-capability loop.
  sys_harden::CapSets sets{};
  int nnp = 0;
  unsigned long now_bits = 0;
  if (sys_harden::capgetSelf(&sets) != 0 || sys_harden::getNoNewPrivs(&nnp) != 0 ||
      sys_harden::getSecurebits(&now_bits) != 0) {
    return fail(CapStep::kVerify, EIO);
  }
  const bool clean = sets.effective == 0 && sets.permitted == 0 && sets.inheritable == 0 &&
                     nnp == 1 && (now_bits & lockedSecurebits()) == lockedSecurebits();
  return clean ? 0 : fail(CapStep::kVerify, EPERM);
}

int readCapabilityState(CapabilityState* out) {
  sys_harden::CapSets sets{};
  if (int err = sys_harden::capgetSelf(&sets); err != 0) {
    return err;
  }
  out->effective = sets.effective;
  out->permitted = sets.permitted;
  out->inheritable = sets.inheritable;
  out->bounding = 0;
  out->ambient = 0;
  for (int cap = 0; cap <= kMaxCap; ++cap) {
    int present = 0;
    if (sys_harden::capBsetRead(cap, &present) != 0) {
      break;  // EINVAL past the last cap
    }
    if (present != 0) {
      out->bounding |= uint64_t{1} << cap;
    }
    if (sys_harden::ambientIsSet(cap, &present) == 0 && present != 0) {
      out->ambient |= uint64_t{1} << cap;
    }
  }
  unsigned long bits = 0;
  if (int err = sys_harden::getSecurebits(&bits); err != 0) {
    return err;
  }
  out->securebits = bits;
  int nnp = 0;
  if (int err = sys_harden::getNoNewPrivs(&nnp); err != 0) {
    return err;
  }
  out->no_new_privs = nnp != 0;
  return 0;
}

}  // namespace agentbox::sandbox
