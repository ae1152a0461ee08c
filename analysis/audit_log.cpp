// SPDX-License-Identifier: Apache-2.0
#include "analysis/audit_log.h"

#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>

#include "base/hex.h"

namespace ipec::analysis {
namespace {

using llvm::StringRef;

constexpr size_t kShownBytes = 300;  // of a line kept for -v

// What one line (or journal MESSAGE) holds.
struct Piece {
  enum Kind { Skip, Noise, Ipe, Other } kind = Noise;
  AuditLogFormat format = AuditLogFormat::None;
  std::string type;  // the record type as written (IPE_ACCESS, UNKNOWN[1420], 1420, SYSCALL, 1300)
  StringRef stamp, body;
  uint64_t serial = 0;
};

bool isIpeType(StringRef type) { return type == "IPE_ACCESS" || type == "UNKNOWN[1420]" || type == "1420"; }
bool isSyscallType(StringRef type) { return type == "SYSCALL" || type == "1300"; }
bool isActivationType(StringRef type) {
  return type == "IPE_CONFIG_CHANGE" || type == "UNKNOWN[1421]" || type == "1421";
}

// The value of ` key=` in a record body, without the quotes the kernel puts around names.
StringRef fieldValue(StringRef body, StringRef key) {
  const std::string needle = (key + "=").str();
  size_t at = 0;
  if (!body.startswith(needle)) {
    at = body.find(" " + needle);
    if (at == StringRef::npos) return {};
    ++at;
  }
  StringRef v = body.drop_front(at + needle.size());
  v = v.take_front(v.find(' '));
  if (v.size() >= 2 && v.startswith("\"") && v.endswith("\"")) v = v.drop_front().drop_back();
  return v;
}

// `STAMP:SERIAL` -> the stamp and the serial.
bool splitStamp(StringRef s, StringRef& stamp, uint64_t& serial) {
  size_t colon = s.rfind(':');
  if (colon == StringRef::npos) return false;
  stamp = s.take_front(colon);
  return !stamp.empty() && !s.drop_front(colon + 1).getAsInteger(10, serial);
}

// `[node=N ]type=T msg=audit(STAMP:SERIAL): BODY` (auditd) or `... ) : BODY` (ausearch -i).
std::optional<Piece> userspaceForm(StringRef line) {
  if (line.startswith("node=")) line = line.drop_front(line.find(' ') == StringRef::npos ? line.size() : line.find(' ') + 1);
  if (!line.consume_front("type=")) return std::nullopt;
  size_t sp = line.find(" msg=audit(");
  if (sp == StringRef::npos) return std::nullopt;
  Piece p;
  p.type = line.take_front(sp).str();
  StringRef rest = line.drop_front(sp + strlen(" msg=audit("));
  size_t raw = rest.find("): "), cooked = rest.find(") : ");
  const bool interpreted = cooked != StringRef::npos && (raw == StringRef::npos || cooked < raw);
  size_t end = interpreted ? cooked : raw;
  if (end == StringRef::npos && rest.endswith(")")) end = rest.size() - 1;  // a record with no fields
  if (end == StringRef::npos || !splitStamp(rest.take_front(end), p.stamp, p.serial)) return std::nullopt;
  p.body = rest.drop_front(std::min(rest.size(), end + (interpreted ? 4 : 3)));
  p.format = interpreted ? AuditLogFormat::Interpreted : AuditLogFormat::Raw;
  p.kind = isIpeType(p.type) ? Piece::Ipe : Piece::Other;
  return p;
}

// `audit: type=N audit(STAMP:SERIAL): BODY`, after whatever dmesg, kmsg or syslog put before it.
std::optional<Piece> printkForm(StringRef line) {
  size_t at = line.find("audit: type=");
  if (at == StringRef::npos) return std::nullopt;
  StringRef rest = line.drop_front(at + strlen("audit: type="));
  Piece p;
  size_t sp = rest.find(" audit(");
  if (sp == StringRef::npos) return std::nullopt;
  p.type = rest.take_front(sp).str();
  rest = rest.drop_front(sp + strlen(" audit("));
  size_t end = rest.find("):");
  if (end == StringRef::npos || !splitStamp(rest.take_front(end), p.stamp, p.serial)) return std::nullopt;
  p.body = rest.drop_front(end + 2).ltrim(' ');
  p.format = AuditLogFormat::Printk;
  p.kind = p.type == "1420" ? Piece::Ipe : Piece::Other;
  return p;
}

Piece classify(StringRef line) {
  line = line.take_front(line.find('\x1d'));  // auditd's enriched format appends translations after GS
  line = line.rtrim("\r");
  if (line.trim(" \t").empty() || line.startswith("----") || line.startswith("time->")) { Piece p; p.kind = Piece::Skip; return p; }
  if (auto p = userspaceForm(line)) return *p;
  if (auto p = printkForm(line)) return *p;
  return Piece{};
}

// The value of `key` at `body[at]` (`key=` included in `key`): up to the next space.
bool takeWord(StringRef body, size_t& at, StringRef key, StringRef& value) {
  if (!body.drop_front(at).startswith(key)) return false;
  at += key.size();
  size_t end = body.find(' ', at);
  value = body.slice(at, end);
  at = end == StringRef::npos ? body.size() : end;
  return true;
}

// ausearch -i decodes comm and path, which may then hold spaces: a value ends where the next
// key begins.
bool takeUntil(StringRef body, size_t& at, StringRef key, StringRef next, StringRef& value) {
  if (!body.drop_front(at).startswith(key)) return false;
  at += key.size();
  size_t end = body.find(next, at);
  if (end == StringRef::npos) return false;
  value = body.slice(at, end);
  at = end;
  return true;
}

// Fills `r` from the fields of an access record; returns the problem, or "".
std::string readFields(StringRef body, bool interpreted, AuditRecord& r) {
  size_t at = 0;
  StringRef op, hook, enforcing, pid, comm, path, dev, ino;
  if (!takeWord(body, at, "ipe_op=", op)) return "no ipe_op= field";
  if (!takeWord(body, at, " ipe_hook=", hook)) return "no ipe_hook= field after ipe_op=";
  if (!takeWord(body, at, " enforcing=", enforcing)) return "no enforcing= field after ipe_hook=";
  if (!takeWord(body, at, " pid=", pid)) return "no pid= field after enforcing=";
  const bool ok = interpreted ? takeUntil(body, at, " comm=", " path=", comm) && takeUntil(body, at, " path=", " dev=", path)
                              : takeWord(body, at, " comm=", comm) && takeWord(body, at, " path=", path);
  if (!ok) return "no comm= and path= fields after pid=";
  if (!takeWord(body, at, " dev=", dev) || !takeWord(body, at, " ino=", ino)) return "no dev= and ino= fields after path=";
  StringRef rest = body.drop_front(at);
  if (!rest.consume_front(" rule=")) return "no rule= field after ino=";
  if (interpreted) rest = rest.rtrim(' ');
  if (!rest.startswith("\"") || rest.size() < 2 || (!rest.endswith("\"") && !interpreted))
    return "the rule= field is cut short (the record was truncated)";
  r.op = op.str();
  r.hook = hook.str();
  r.enforcing = enforcing == "1" ? 1 : enforcing == "0" ? 0 : -1;
  r.pid = pid.str();
  r.comm = interpreted ? comm.str() : decodeUntrusted(comm);
  r.has_file = path != "?";
  r.path = interpreted ? path.str() : decodeUntrusted(path);
  r.dev = decodeUntrusted(dev);
  r.ino = ino.str();
  r.rule = interpreted ? rest.str() : rest.drop_front().drop_back().str();
  r.interpreted = interpreted;
  return "";
}

std::string shown(StringRef text) { return text.take_front(kShownBytes).str(); }

void noise(AuditLog& log, uint32_t line, StringRef text, const char* reason) {
  if (log.unparsed_count++ < AuditLog::kKeptLines) log.unparsed.push_back({line, shown(text), reason});
}

class Builder {
 public:
  explicit Builder(AuditLog& log) : log_(log) {}

  void add(const Piece& p, StringRef whole, uint32_t line) {
    switch (p.kind) {
      case Piece::Skip: return;
      case Piece::Noise:
        noise(log_, line, whole, "not an audit record");
        return;
      case Piece::Other:
        ++log_.other_records;
        if (isSyscallType(p.type)) noteExe(p);
        if (isActivationType(p.type)) noteActivation(p, line);
        return;
      case Piece::Ipe: break;
    }
    if (log_.format == AuditLogFormat::None) log_.format = p.format;
    AuditRecord r;
    r.line = line;
    r.activation = static_cast<int32_t>(log_.activations.size()) - 1;
    r.stamp = p.stamp.str();
    r.serial = p.serial;
    std::string why = readFields(p.body, p.format == AuditLogFormat::Interpreted, r);
    if (!why.empty()) {
      log_.malformed.push_back({line, shown(whole), std::move(why)});
      return;
    }
    log_.records.push_back(std::move(r));
  }

  // The SYSCALL record of an event names the program (exe=), which the access record does not.
  void finish() {
    for (AuditRecord& r : log_.records)
      if (auto it = exe_.find(r.serial); it != exe_.end()) r.exe = it->second;
  }

 private:
  void noteActivation(const Piece& p, uint32_t line) {
    AuditActivation a{line, p.serial, fieldValue(p.body, "new_active_pol_name").str(),
                      fieldValue(p.body, "new_active_pol_version").str()};
    if (a.name.empty()) return;
    const auto& all = log_.activations;
    if (!all.empty() && all.back().serial == a.serial && all.back().name == a.name) return;  // journald's second copy
    log_.activations.push_back(std::move(a));
  }

  void noteExe(const Piece& p) {
    StringRef body = p.body;
    size_t at = body.find(" exe=");
    if (at == StringRef::npos) return;
    StringRef v = body.drop_front(at + 5);
    // ausearch -i prints the path decoded; the next field is subj= or key=
    if (p.format == AuditLogFormat::Interpreted) v = v.take_front(std::min(v.find(" subj="), v.find(" key=")));
    else v = v.take_front(v.find(' '));
    exe_[p.serial] = p.format == AuditLogFormat::Interpreted ? v.str() : decodeUntrusted(v);
  }

  AuditLog& log_;
  std::unordered_map<uint64_t, std::string> exe_;
};

// ---- journalctl -o export: `KEY=VALUE\n`, or `KEY\n` + le64 size + bytes + `\n`; a blank line
// ends an entry.
struct JournalEntry {
  uint32_t line = 0;
  std::unordered_map<std::string, std::string> fields;
};

bool looksLikeJournal(StringRef bytes) {
  StringRef first = bytes.ltrim("\n").take_until([](char c) { return c == '\n'; });
  size_t eq = first.find('=');
  StringRef key = first.take_front(eq);
  return !key.empty() && key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == StringRef::npos;
}

void journal(StringRef bytes, AuditLog& log, Builder& b) {
  uint32_t line = 1;
  JournalEntry e;
  e.line = 1;
  std::unordered_set<std::string> from_audit_set, from_kmsg_set;
  auto flush = [&] {
    if (e.fields.empty()) return;
    auto get = [&](const char* k) -> StringRef {
      auto it = e.fields.find(k);
      return it == e.fields.end() ? StringRef() : StringRef(it->second);
    };
    StringRef msg = get("MESSAGE");
    // journald without auditd stores each record twice: from the audit socket and from kmsg
    auto seen_twice = [&](const Piece& p, bool from_audit) {
      std::string key = fmt::format("{}\n{}\n{}", p.serial, p.stamp.str(), p.body.str());
      (from_audit ? from_audit_set : from_kmsg_set).insert(key);
      return (from_audit ? from_kmsg_set : from_audit_set).count(key) > 0;
    };
    if (get("_TRANSPORT") == "audit") {
      Piece p;
      p.type = get("_AUDIT_TYPE").str();
      p.kind = p.type == "1420" ? Piece::Ipe : Piece::Other;
      p.format = AuditLogFormat::Journal;
      get("_AUDIT_ID").getAsInteger(10, p.serial);
      StringRef usec = get("_SOURCE_REALTIME_TIMESTAMP");
      std::string stamp = usec.size() > 6 ? fmt::format("{}.{}", usec.drop_back(6).str(), usec.take_back(6).take_front(3).str())
                                          : usec.str();
      p.stamp = stamp;
      p.body = msg.drop_front(std::min(msg.size(), msg.find(' ') + 1));  // MESSAGE is "TYPE_NAME body"
      if (seen_twice(p, true)) ++log.other_records;
      else b.add(p, msg, e.line);
    } else if (msg.contains("audit: type=")) {
      Piece p = classify(msg);
      if (p.kind == Piece::Ipe && seen_twice(p, false)) ++log.other_records;
      else if (p.kind == Piece::Ipe || p.kind == Piece::Other) b.add(p, msg, e.line);
    } else {
      noise(log, e.line, msg, "a journal entry that is not an audit record");
    }
    e.fields.clear();
  };
  size_t at = 0;
  while (at < bytes.size()) {
    size_t nl = bytes.find('\n', at);
    StringRef l = bytes.slice(at, nl);
    if (l.empty()) {
      flush();
      at = nl == StringRef::npos ? bytes.size() : nl + 1;
      e.line = ++line;
      continue;
    }
    size_t eq = l.find('=');
    if (eq != StringRef::npos) {
      e.fields[l.take_front(eq).str()] = l.drop_front(eq + 1).str();
      at = nl == StringRef::npos ? bytes.size() : nl + 1;
      ++line;
      continue;
    }
    // binary field: the name, a newline, 8 bytes of little-endian size, the data, a newline
    size_t data = at + l.size() + 1 + 8;
    if (nl == StringRef::npos || data > bytes.size()) {
      log.malformed.push_back({line, shown(l), "a journal field cut short"});
      return;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | static_cast<unsigned char>(bytes[nl + 1 + i]);
    if (n > bytes.size() - data) {
      log.malformed.push_back({line, shown(l), "a binary journal field longer than the file"});
      return;
    }
    StringRef value = bytes.substr(data, n);
    e.fields[l.str()] = value.str();
    line += 1 + static_cast<uint32_t>(value.count('\n')) + static_cast<uint32_t>(StringRef(bytes.data() + nl + 1, 8).count('\n'));
    at = data + n;
    if (at < bytes.size() && bytes[at] == '\n') ++at;
  }
  flush();
}

}  // namespace

std::string_view auditLogFormatName(AuditLogFormat f) {
  switch (f) {
    case AuditLogFormat::None: return "none";
    case AuditLogFormat::Raw: return "audit.log";
    case AuditLogFormat::Interpreted: return "ausearch -i";
    case AuditLogFormat::Journal: return "journal export";
    case AuditLogFormat::Printk: return "kernel printk";
  }
  return "";
}

std::string decodeUntrusted(std::string_view value) {
  StringRef v(value.data(), value.size());
  if (v.size() >= 2 && v.startswith("\"") && v.endswith("\"")) return v.drop_front().drop_back().str();
  std::string out;
  if (!v.empty() && v.size() % 2 == 0 && decodeHex(value, out)) return out;
  return v.str();
}

AuditLog parseAuditLog(std::string_view bytes) {
  AuditLog log;
  Builder b(log);
  StringRef all(bytes.data(), bytes.size());
  if (looksLikeJournal(all)) {
    journal(all, log, b);
    log.format = AuditLogFormat::Journal;
  } else {
    uint32_t line = 0;
    for (StringRef rest = all; !rest.empty();) {
      auto [l, tail] = rest.split('\n');
      rest = tail;
      ++line;
      b.add(classify(l), l, line);
    }
  }
  b.finish();
  return log;
}

}  // namespace ipec::analysis
