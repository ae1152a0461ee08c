// SPDX-License-Identifier: Apache-2.0
#include "analysis/event_model.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

constexpr unsigned kBdevKinds = 4;  // none, plain, dm-verity unsigned, dm-verity signed
constexpr unsigned kFsvKinds = 3;   // none, unsigned, signed

bool producible(const DigestPool& pool, DigestId d, bool (*produces)(sl::DigestAlg)) {
  if (d == kOtherDigest) return true;
  DigestView v = pool.get(d);
  auto alg = sl::lookupDigestAlg(v.alg);
  return alg && produces(*alg) && v.bytes.size() == sl::digestAlgLength(*alg);
}

}  // namespace

unsigned pointCount(Op op) { return op == Op::BpfProgLoad ? kBpfPoints : kFilePoints; }

Event pointEvent(Op op, unsigned p, DigestId fsv_digest, DigestId dm_digest) {
  Event e;
  e.op = op;
  if (op == Op::BpfProgLoad) {
    e.file = false;
    e.bpf_verdict = static_cast<uint8_t>(p / 8);
    e.bpf_keyring = static_cast<uint8_t>((p / 2) % 4);
    e.bpf_kernel = p % 2;
    return e;
  }
  if (p == 0) {
    e.file = false;
    return e;
  }
  if (p == 1) {
    e.initramfs = true;
    return e;
  }
  unsigned bdev = (p - 2) / kFsvKinds, fsv = (p - 2) % kFsvKinds;
  e.bdev = bdev == 0 ? Bdev::None : bdev == 1 ? Bdev::Plain : Bdev::DmVerity;
  if (e.bdev == Bdev::DmVerity) {
    e.dm_signed = bdev == 3;
    e.dm_roothash = dm_digest;
  }
  if (fsv != 0) {
    e.fsverity = true;
    e.fsv_signed = fsv == 2;
    e.fsv_digest = fsv_digest;
  }
  return e;
}

unsigned pointOf(const Event& e) {
  if (e.op == Op::BpfProgLoad) return e.bpf_verdict * 8u + (e.bpf_keyring & 3u) * 2u + (e.bpf_kernel ? 1u : 0u);
  if (!e.file) return 0;
  if (e.initramfs) return 1;
  unsigned bdev = e.bdev == Bdev::None ? 0 : e.bdev == Bdev::Plain ? 1 : e.dm_signed ? 3 : 2;
  unsigned fsv = !e.fsverity ? 0 : e.fsv_signed ? 2 : 1;
  return 2 + bdev * kFsvKinds + fsv;
}

PointMask fsverityPoints(Op op) {
  if (op == Op::BpfProgLoad) return 0;
  PointMask m = 0;
  for (unsigned bdev = 0; bdev < kBdevKinds; ++bdev)
    for (unsigned fsv = 1; fsv < kFsvKinds; ++fsv) m |= PointMask{1} << (2 + bdev * kFsvKinds + fsv);
  return m;
}

PointMask dmverityPoints(Op op) {
  if (op == Op::BpfProgLoad) return 0;
  PointMask m = 0;
  for (unsigned bdev = 2; bdev < kBdevKinds; ++bdev)
    for (unsigned fsv = 0; fsv < kFsvKinds; ++fsv) m |= PointMask{1} << (2 + bdev * kFsvKinds + fsv);
  return m;
}

bool opEvaluated(const Target& t, Op op, std::string* why) {
  auto no = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  if (!t.config(sl::Kconfig::SecurityIpe)) return no("CONFIG_SECURITY_IPE is off");
  if (!t.lsmHas("ipe")) return no("IPE is not in the lsm= list, so none of its hooks are registered");
  if (!t.dialect.knows(sl::opSeries(op))) return no("this kernel has no such op");
  switch (op) {
    case Op::Execute: return true;
    case Op::Firmware:
      return t.config(sl::Kconfig::FwLoader) || no("CONFIG_FW_LOADER is off: no firmware is loaded");
    case Op::KernelModule:
      return t.config(sl::Kconfig::Modules) || no("CONFIG_MODULES is off: no module can be loaded");
    case Op::KexecImage:
      return t.config(sl::Kconfig::KexecFile) || t.config(sl::Kconfig::Kexec) ||
             no("CONFIG_KEXEC_FILE and CONFIG_KEXEC are off: there is no kexec");
    case Op::KexecInitramfs:
      return t.config(sl::Kconfig::KexecFile) || no("CONFIG_KEXEC_FILE is off: kexec_file_load does not exist");
    case Op::Policy:
    case Op::X509Cert:
      return t.config(sl::Kconfig::Ima) || no("CONFIG_IMA is off: nothing reads IMA policies or keys");
    case Op::BpfProgLoad:
      if (!t.config(sl::Kconfig::BpfSyscall)) return no("CONFIG_BPF_SYSCALL is off: there is no bpf()");
      if (t.bpf_hook == BpfHook::HornetV7) return true;
      if (t.bpf_hook == BpfHook::HornetV5 && t.hornetActive()) return true;
      return no(t.bpf_hook == BpfHook::HornetV5
                    ? "with the Hornet v5 hook design IPE judges BPF loads only inside Hornet's callback, "
                      "and Hornet is not in the lsm= list"
                    : "this kernel has no BPF_PROG_LOAD hook for IPE");
  }
  return false;
}

PointMask validPoints(const Target& t, Op op) {
  if (!opEvaluated(t, op)) return 0;
  if (op == Op::BpfProgLoad) {
    // v6/v7 without a provider: the verdict blob stays zero (NONE). With Hornet, and always with
    // v5 (IPE is only asked from Hornet's hook), Hornet records a verdict other than NONE.
    const bool none_only = t.bpf_hook == BpfHook::HornetV7 && !t.hornetActive();
    PointMask m = 0;
    for (unsigned p = 0; p < kBpfPoints; ++p)
      if ((p / 8 == 0) == none_only) m |= PointMask{1} << p;
    return m;
  }
  PointMask all = (PointMask{1} << kFilePoints) - 1;
  if (op == Op::KexecImage) {
    // kexec_file_load reads a file; kexec_load passes a buffer (no file).
    if (!t.config(sl::Kconfig::KexecFile)) all &= PointMask{1};
    if (!t.config(sl::Kconfig::Kexec)) all &= ~PointMask{1};
  }
  return all;
}

bool fsverityCanProduce(const DigestPool& pool, DigestId d) { return producible(pool, d, sl::fsverityProduces); }
bool dmverityCanProduce(const DigestPool& pool, DigestId d) { return producible(pool, d, sl::dmverityProduces); }

bool holds(const ast::Property& p, const Event& e, const Target& t) {
  if (auto k = sl::propKconfig(p.prop); k && !t.config(*k)) return false;  // eval.c #else stubs
  const bool want = p.value != 0;
  switch (p.prop) {
    case sl::Prop::BootVerified: return (e.file && e.initramfs) == want;
    case sl::Prop::DmverityRoothash:
      return e.file && e.bdev == Bdev::DmVerity && e.dm_roothash != kOtherDigest && e.dm_roothash == p.digest;
    case sl::Prop::DmveritySignature: return (e.file && e.bdev == Bdev::DmVerity && e.dm_signed) == want;
    case sl::Prop::FsverityDigest:
      return e.file && e.fsverity && e.fsv_digest != kOtherDigest && e.fsv_digest == p.digest;
    case sl::Prop::FsveritySignature: return (e.file && e.fsverity && e.fsv_signed) == want;
    case sl::Prop::BpfSignature: return e.bpf_verdict == p.value;
    case sl::Prop::BpfKeyring: return e.bpf_keyring == p.value;
    case sl::Prop::BpfKernel: return e.bpf_kernel == want;
  }
  return false;
}

bool matches(const ast::Policy& policy, const ast::Statement& s, const Event& e, const Target& t) {
  for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p)
    if (!holds(*p, e, t)) return false;
  return true;
}

}  // namespace ipec::analysis
