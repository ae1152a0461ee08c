// SPDX-License-Identifier: Apache-2.0
// IPE's access records (AUDIT_IPE_ACCESS, type 1420) read back from the logs that keep them:
// auditd's audit.log, `ausearch -i` output, `journalctl -o export`, and the kernel's printk form
// (dmesg, /dev/kmsg) on a machine without auditd. docs/cli.md (`ipec audit`) lists the forms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipec::analysis {

enum class AuditLogFormat : uint8_t {
  None,         // no audit record at all
  Raw,          // audit.log: `type=IPE_ACCESS msg=audit(T:S): ...` (or `type=UNKNOWN[1420]`)
  Interpreted,  // `ausearch -i`: `type=... msg=audit(12/04/26 21:00:00.123:456) : ...`
  Journal,      // `journalctl -o export`
  Printk,       // `audit: type=1420 audit(T:S): ...` (dmesg, /dev/kmsg)
};
std::string_view auditLogFormatName(AuditLogFormat f);

// One AUDIT_IPE_ACCESS record: `ipe_op= ipe_hook= enforcing= pid= comm= path= dev= ino= rule="..."`.
struct AuditRecord {
  uint32_t line = 0;       // 1-based line of the record (journal: the line its entry starts on)
  std::string stamp;       // the time inside audit(...), as written
  uint64_t serial = 0;     // the event's serial: records of one syscall share it
  std::string op, hook;    // ipe_op, ipe_hook
  int enforcing = -1;
  std::string pid, comm;   // comm decoded (the kernel writes it quoted or in hex)
  bool has_file = false;   // false for `path=?`
  std::string path, dev, ino;
  std::string rule;        // inside rule="...", as written; `ausearch -i` mangles digests (see audit_map.h)
  bool interpreted = false;
  std::string exe;         // from a SYSCALL record of the same event, when the log has one
  int32_t activation = -1; // the latest AuditLog::activations entry before it in its log, or -1
};

// An AUDIT_IPE_CONFIG_CHANGE record (type 1421): a policy became active. The access records of
// 6.12 do not name the policy that decided; these records, where the log keeps them, do.
struct AuditActivation {
  uint32_t line = 0;
  uint64_t serial = 0;
  std::string name, version;  // new_active_pol_name, new_active_pol_version
};

// A line that is not an audit record, or an IPE record that cannot be read completely.
struct AuditLogLine {
  uint32_t line = 0;
  std::string text;
  std::string reason;
};

struct AuditLog {
  static constexpr size_t kKeptLines = 1000;  // of the lines that are no audit record, with their text
  AuditLogFormat format = AuditLogFormat::None;
  std::vector<AuditRecord> records;
  std::vector<AuditLogLine> malformed;  // IPE access records that lost a field (a truncated printk line)
  std::vector<AuditLogLine> unparsed;   // lines that are no audit record (the first kKeptLines of them)
  uint64_t unparsed_count = 0;          // all of them: a whole dmesg is mostly other messages
  uint32_t other_records = 0;           // audit records of other types (SYSCALL, PROCTITLE, ...)
  std::vector<AuditActivation> activations;  // in log order
};

// Never fails: what is not understood lands in `unparsed` or `malformed`.
AuditLog parseAuditLog(std::string_view bytes);

// The kernel's audit_log_untrustedstring(): "text" or upper/lower-case hex; `?` and other bare
// words stay as they are.
std::string decodeUntrusted(std::string_view value);

}  // namespace ipec::analysis
