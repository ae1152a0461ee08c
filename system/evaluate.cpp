// SPDX-License-Identifier: Apache-2.0
// Every object the machine runs, as the event the kernel would see when it is executed, loaded or
// read again, decided by the new policy. An unknown fact contributes every value it could have.
#include "system/evaluate.h"

#include <fmt/format.h>

namespace ipec::system {
namespace {

using analysis::Bdev;
using analysis::EventSpec;

std::vector<bool> values(Tri t) {
  if (t == Tri::Unknown) return {false, true};
  return {t == Tri::Yes};
}

// The (bdev, fs-verity) part of the possible events of a file that is not in the initramfs.
void addDeviceWorlds(const ObjectFacts& o, EventSpec base, std::vector<EventSpec>& out) {
  std::vector<EventSpec> bdevs;
  auto verity = [&](const std::string& alg, const std::string& hash, Tri sig) {
    for (bool s : values(sig)) {
      EventSpec e = base;
      e.event.bdev = Bdev::DmVerity;
      e.event.dm_signed = s;
      e.has_dm_digest = !hash.empty();
      e.dm_alg = alg;
      e.dm_bytes = hash;
      bdevs.push_back(e);
    }
  };
  switch (o.bdev.kind) {
    case BdevKind::None: bdevs.push_back(base); break;
    case BdevKind::Plain: base.event.bdev = Bdev::Plain; bdevs.push_back(base); break;
    case BdevKind::DmVerity: verity(o.bdev.roothash_alg, o.bdev.roothash, o.bdev.signature); break;
    case BdevKind::Unknown:
      bdevs.push_back(base);
      bdevs.back().event.bdev = Bdev::None;
      bdevs.push_back(base);
      bdevs.back().event.bdev = Bdev::Plain;
      verity("", "", Tri::Unknown);
      break;
  }
  for (const EventSpec& b : bdevs) {
    for (bool enabled : values(o.fsverity.enabled)) {
      if (!enabled) {
        out.push_back(b);
        continue;
      }
      for (bool s : values(o.fsverity.signature)) {
        EventSpec e = b;
        e.event.fsverity = true;
        e.event.fsv_signed = s;
        e.has_fsv_digest = !o.fsverity.digest.empty();
        e.fsv_alg = o.fsverity.alg;
        e.fsv_bytes = o.fsverity.digest;
        out.push_back(e);
      }
    }
  }
}

std::vector<EventSpec> worlds(const ObjectFacts& o) {
  std::vector<EventSpec> out;
  for (bool file : values(o.file)) {
    EventSpec base;
    base.event.op = o.op;
    base.event.file = file;
    if (!file) {
      out.push_back(base);
      continue;
    }
    // The rootfs has no block device and no fs-verity: what is known of either rules it out.
    const bool on_device = o.bdev.kind == BdevKind::Plain || o.bdev.kind == BdevKind::DmVerity ||
                           o.fsverity.enabled == Tri::Yes;
    for (bool initramfs : values(o.initramfs)) {
      if (initramfs && on_device) continue;
      EventSpec e = base;
      e.event.initramfs = initramfs;
      if (initramfs) out.push_back(e);
      else addDeviceWorlds(o, e, out);
    }
  }
  return out;
}

std::vector<std::string> unknownFacts(const ObjectFacts& o) {
  std::vector<std::string> u;
  if (o.file == Tri::Unknown) u.push_back("whether it is loaded from the file or from memory");
  if (o.initramfs == Tri::Unknown) u.push_back("whether it is on the initramfs (boot_verified)");
  if (o.bdev.kind == BdevKind::Unknown) u.push_back("its block device (dmverity_*)");
  if (o.bdev.kind == BdevKind::DmVerity && o.bdev.roothash.empty()) u.push_back("the dm-verity root hash");
  if (o.bdev.kind == BdevKind::DmVerity && o.bdev.signature == Tri::Unknown) u.push_back("the dm-verity signature");
  if (o.fsverity.enabled == Tri::Unknown) u.push_back("its fs-verity state (fsverity_*)");
  if (o.fsverity.enabled == Tri::Yes && o.fsverity.signature == Tri::Unknown) u.push_back("its fs-verity signature");
  return u;
}

bool denies(const analysis::Decision& d) {
  return d.action == stdlib::Action::Deny && (d.kind == analysis::DecisionKind::Rule ||
                                               d.kind == analysis::DecisionKind::OpDefault ||
                                               d.kind == analysis::DecisionKind::GlobalDefault);
}

}  // namespace

Evaluation evaluateObjects(const SystemFacts& facts, const ast::Policy& policy, const analysis::Target& target) {
  Evaluation eval;
  const analysis::PolicyIndex index = analysis::PolicyIndex::build(policy);
  for (size_t i = 0; i < facts.objects.size(); ++i) {
    const ObjectFacts& o = facts.objects[i];
    ++eval.examined[static_cast<unsigned>(o.op)];
    if (!o.error.empty()) ++eval.unreadable;
    std::optional<Finding> first;
    bool all = true, any = false;
    std::string error;
    for (const EventSpec& spec : worlds(o)) {
      auto event = analysis::resolveEvent(spec, policy, target, error);
      if (!event) continue;  // a value the kernel cannot produce (a snapshot written by hand)
      any = true;
      analysis::Decision d = analysis::decide(policy, index, target, *event);
      if (!denies(d)) {
        all = false;
        continue;
      }
      if (!first) first = Finding{i, false, d, spec, *event, {}};
    }
    if (!any) eval.invalid.emplace_back(i, error);
    if (!first) continue;
    first->certain = all;
    first->unknown = unknownFacts(o);
    eval.findings.push_back(std::move(*first));
  }
  return eval;
}

}  // namespace ipec::system
