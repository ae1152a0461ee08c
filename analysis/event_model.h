// SPDX-License-Identifier: Apache-2.0
// The finite event model (docs/event-model.md): what one IPE evaluation sees, which events can
// happen on a target, and when a property holds. This is the one semantic core: the analyzer,
// `ipec eval`, the reference evaluator in the tests and the backends all use it.
#pragma once

#include <cstdint>
#include <string>

#include "analysis/target.h"
#include "frontend/ast.h"

namespace ipec::analysis {

using stdlib::Op;

// A digest value in an event: one of the policy's literals (its DigestId), or any other digest.
inline constexpr DigestId kOtherDigest = 0xFFFFFFFFu;

enum class Bdev : uint8_t { None, Plain, DmVerity };

struct Event {
  Op op = Op::Execute;
  bool file = true;
  bool initramfs = false;
  Bdev bdev = Bdev::None;
  DigestId dm_roothash = kOtherDigest;
  bool dm_signed = false;
  bool fsverity = false;
  DigestId fsv_digest = kOtherDigest;
  bool fsv_signed = false;
  uint8_t bpf_verdict = 0;   // enum lsm_integrity_verdict, 0 = NONE
  uint8_t bpf_keyring = 0;   // 0 BUILTIN, 1 SECONDARY, 2 PLATFORM, 3 any other keyring id
  bool bpf_kernel = false;
  friend bool operator==(const Event&, const Event&) = default;
};
inline constexpr uint8_t kOtherKeyring = 3;

// ---- points: an event without its digest values --------------------------------------------
// For file-based ops: 0 no file, 1 initramfs, then 2 + bdev*3 + fsverity for a file elsewhere
// (bdev: none, plain, dm-verity unsigned, dm-verity signed; fsverity: none, unsigned, signed).
// For BPF_PROG_LOAD: verdict*8 + keyring*2 + kernel (64 points).
inline constexpr unsigned kFilePoints = 14;
inline constexpr unsigned kBpfPoints = 64;
using PointMask = uint64_t;

unsigned pointCount(Op op);
// The event at point `p` with the given digest values (used only where the point has them).
Event pointEvent(Op op, unsigned p, DigestId fsv = kOtherDigest, DigestId dm = kOtherDigest);
// The point of an event (the inverse of pointEvent, ignoring digests).
unsigned pointOf(const Event& e);
// Points whose events carry an fs-verity digest / a dm-verity root hash.
PointMask fsverityPoints(Op op);
PointMask dmverityPoints(Op op);

// ---- the target ----------------------------------------------------------------------------
// Whether IPE is asked at all about `op` on `t`; if not, `why` says why.
bool opEvaluated(const Target& t, Op op, std::string* why = nullptr);
// The points that can happen on `t` (empty when the op is not evaluated).
PointMask validPoints(const Target& t, Op op);
// Whether fs-verity / dm-verity can ever report this digest (algorithm and length).
bool fsverityCanProduce(const DigestPool& pool, DigestId d);
bool dmverityCanProduce(const DigestPool& pool, DigestId d);

// ---- evaluation ----------------------------------------------------------------------------
// Whether `p` is true for `e` on `t` (eval.c, with compiled-out properties false).
bool holds(const ast::Property& p, const Event& e, const Target& t);
// Whether every property of `s` holds.
bool matches(const ast::Policy& policy, const ast::Statement& s, const Event& e, const Target& t);

}  // namespace ipec::analysis
