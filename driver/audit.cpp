// SPDX-License-Identifier: Apache-2.0
// ipec audit: IPE's access records (type 1420) read back against the policy that wrote them:
// which rule decided how often, which never fired, and what a candidate policy would decide.
#include <map>
#include <unordered_map>
#include <tuple>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "analysis/audit_candidate.h"
#include "analysis/audit_map.h"
#include "analysis/audit_text.h"
#include "base/diagnostic.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_text.h"
#include "driver/output.h"

namespace ipec::driver {
namespace {

namespace sl = ipec::stdlib;
using namespace ipec::analysis;
using nlohmann::json;

struct Log {
  std::string name;
  AuditLog log;
};

// An event class for --candidate: records alike in all that the judge and the reader see.
struct ClassKey {
  std::string op, hook, rule, path;
  bool has_file;
  int32_t statement;
  auto operator<=>(const ClassKey&) const = default;
};
struct ClassInfo {
  uint32_t records = 0;
  const CandidateVerdict* verdict = nullptr;
  const AuditRecord* first = nullptr;
};

std::optional<CheckedPolicy> loadPolicy(const AuditOptions& o, const std::string& path, int& status) {
  auto in = readInputOrReport(path, o.max_file_size);
  if (!in) {
    status = static_cast<int>(ExitCode::Usage);
    return std::nullopt;
  }
  PipelineConfig config = o.pipeline;
  config.analyze = false;
  CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), config);
  if (!parsesCleanly(*p.diags)) {
    printDiagnostics(p, o.color, /*errors_only=*/true);
    printError(fmt::format("{}: the kernel rejects this policy, so it decides nothing", p.file->name()));
    status = static_cast<int>(ExitCode::Findings);
    return std::nullopt;
  }
  return p;
}

std::string headerText(const CheckedPolicy& p) {
  const auto& h = p.parsed.policy.header;
  return h ? fmt::format("{} {}", shown(h->name), h->version.str()) : std::string("?");
}

class Report {
 public:
  Report(const AuditOptions& o, const std::vector<Log>& logs, const CheckedPolicy* policy, const CheckedPolicy* cand)
      : o_(o), logs_(logs), policy_(policy), cand_(cand) {
    for (const Log& l : logs)
      for (const AuditRecord& r : l.log.records) {
        index_[&r] = records_.size();
        records_.push_back(&r);
        record_log_.push_back(&l);
      }
    cov_ = auditCoverage(policy ? &policy->parsed.policy : nullptr, records_);
    if (cand) judgeCandidate();
  }

  int status() const {
    bool bad = cov_.unmapped > 0;
    for (const Log& l : logs_) bad |= !l.log.malformed.empty();
    for (const auto& [k, c] : classes_) bad |= c.verdict->outcome != CandidateOutcome::Same;
    return bad ? static_cast<int>(ExitCode::Findings) : 0;
  }

  void text() const;
  void jsonDoc() const;

 private:
  void judgeCandidate() {
    judge_.emplace(policy_->parsed.policy, cand_->parsed.policy, o_.pipeline.target);
    for (size_t i = 0; i < records_.size(); ++i) {
      const int32_t s = cov_.statement_of[i];
      if (s < 0) continue;
      const AuditRecord& r = *records_[i];
      const bool file = r.has_file;  // `path=?`: anonymous memory, init_module, kexec_load, BPF
      ClassInfo& c = classes_[{r.op, r.hook, r.rule, file ? r.path : std::string("?"), file, s}];
      ++c.records;
      if (!c.first) c.first = &r;
      if (!c.verdict) c.verdict = &judge_->judge(sl::lookupOp(r.op), s, file);
    }
  }

  uint32_t lineOf(const CheckedPolicy& p, int32_t s) const {
    return p.file->lineCol(p.parsed.policy.statements[s].range.begin).line;
  }
  std::string textOf(const CheckedPolicy& p, int32_t s) const {
    Range r = p.parsed.policy.statements[s].range;
    return std::string(p.file->bytes().substr(r.begin, r.size()));
  }
  std::string where(const CheckedPolicy& p, int32_t s) const {
    return s < 0 ? std::string("no DEFAULT (allowed)") : fmt::format("{}:{}", p.file->name(), lineOf(p, s));
  }

  static std::string countsText(const DecisionCounts& c) {
    std::string by;
    for (const auto& [k, n] : c.by)
      by += fmt::format("{}{} {} {} {}", by.empty() ? "" : ", ", shown(std::get<0>(k)), shown(std::get<1>(k)),
                        std::get<2>(k), n);
    return fmt::format("{} decision{}: {}{}", c.total, c.total == 1 ? "" : "s", by,
                       c.permissive ? fmt::format(" ({} with enforcing=0)", c.permissive) : std::string());
  }
  static json countsJson(const DecisionCounts& c) {
    json by = json::array();
    for (const auto& [k, n] : c.by)
      by.push_back({{"op", std::get<0>(k)}, {"hook", std::get<1>(k)}, {"action", std::get<2>(k)}, {"count", n}});
    return {{"decisions", c.total}, {"allow", c.allow}, {"deny", c.deny}, {"permissive", c.permissive}, {"by", by}};
  }
  json witnessJson(const std::optional<CandidateWitness>& w) const {
    if (!w) return nullptr;
    return {{"event", json::parse(w->json, nullptr, false)},
            {"decision", std::string(sl::actionSpelling(w->new_action))},
            {"line", w->new_statement < 0 ? json(nullptr) : json(lineOf(*cand_, w->new_statement))}};
  }

  // Where a record is, and what its event's other records say about the program.
  json recordJson(const AuditRecord& r) const {
    const AuditActivation* a = activeAt(r);
    return {{"file", logOf(r).name}, {"line", r.line}, {"serial", r.serial}, {"pid", r.pid}, {"comm", r.comm},
            {"exe", r.exe.empty() ? json(nullptr) : json(r.exe)},
            {"active", a ? json({{"name", a->name}, {"version", a->version}}) : json(nullptr)}};
  }
  const Log& logOf(const AuditRecord& r) const { return *record_log_[index_.at(&r)]; }
  // The policy the log says was active when the record was written (its IPE_CONFIG_CHANGE records).
  const AuditActivation* activeAt(const AuditRecord& r) const {
    return r.activation < 0 ? nullptr : &logOf(r).log.activations[static_cast<size_t>(r.activation)];
  }
  // Whether the log says another policy than --policy was active for `r`.
  bool underOtherPolicy(const AuditRecord& r) const {
    const AuditActivation* a = activeAt(r);
    const auto& h = policy_->parsed.policy.header;
    return a && h && (a->name != h->name || a->version != h->version.str());
  }

  void textLogs() const;
  void textActivations() const;
  void textCoverage() const;
  void textCandidate() const;

  const AuditOptions& o_;
  const std::vector<Log>& logs_;
  const CheckedPolicy* policy_;
  const CheckedPolicy* cand_;
  std::vector<const AuditRecord*> records_;
  std::vector<const Log*> record_log_;
  std::unordered_map<const AuditRecord*, size_t> index_;
  AuditCoverage cov_;
  std::optional<CandidateJudge> judge_;
  std::map<ClassKey, ClassInfo> classes_;
};

void Report::textLogs() const {
  for (const Log& l : logs_) {
    print(stdout, "{}: {} IPE access record{} ({}), {} other audit record{}, {} line{} not understood{}\n", l.name,
          l.log.records.size(), l.log.records.size() == 1 ? "" : "s", auditLogFormatName(l.log.format),
          l.log.other_records, l.log.other_records == 1 ? "" : "s", l.log.unparsed_count,
          l.log.unparsed_count == 1 ? "" : "s",
          l.log.malformed.empty() ? std::string() : fmt::format(", {} IPE record{} cut short", l.log.malformed.size(),
                                                                l.log.malformed.size() == 1 ? "" : "s"));
    for (const AuditLogLine& m : l.log.malformed)
      print(stdout, "  {}:{}: {}: {}\n", l.name, m.line, m.reason, shown(m.text));
    if (o_.verbose) {
      for (const AuditLogLine& u : l.log.unparsed) print(stdout, "  {}:{}: {}: {}\n", l.name, u.line, u.reason, shown(u.text));
      if (l.log.unparsed_count > l.log.unparsed.size())
        print(stdout, "  ... and {} more lines that are no audit record\n", l.log.unparsed_count - l.log.unparsed.size());
    }
  }
}

void Report::textActivations() const {
  uint32_t other = 0;
  for (const AuditRecord* r : records_) other += underOtherPolicy(*r);
  // (name, version) -> how often, and the first place
  std::map<std::pair<std::string, std::string>, std::pair<uint32_t, std::string>> seen;
  std::vector<std::pair<std::string, std::string>> order;
  for (const Log& l : logs_)
    for (const AuditActivation& a : l.log.activations) {
      auto [it, fresh] = seen.try_emplace({a.name, a.version}, 0, fmt::format("{}:{}", l.name, a.line));
      if (fresh) order.push_back(it->first);
      ++it->second.first;
    }
  for (const auto& k : order) {
    const auto& [n, where] = seen.at(k);
    print(stdout, "{}: the log says {} {} became active (IPE_CONFIG_CHANGE){}\n", where, quote(k.first), shown(k.second),
          n > 1 ? fmt::format(", {} times", n) : std::string());
  }
  if (other)
    print(stdout, "{} record{} written while another policy than {} {} was active, by the log's IPE_CONFIG_CHANGE "
                  "records\n",
          other, other == 1 ? " was" : "s were", quote(policy_->parsed.policy.header->name),
          policy_->parsed.policy.header->version.str());
}

void Report::textCoverage() const {
  if (!policy_) {
    for (const auto& [text, c] : cov_.by_text) print(stdout, "rule=\"{}\": {}\n", shown(text), countsText(c));
    return;
  }
  const CheckedPolicy& p = *policy_;
  print(stdout, "policy {} ({}): {} of {} records map to its rules{}\n", p.file->name(), headerText(p), cov_.mapped,
        cov_.records, cov_.unmapped ? fmt::format(", {} {} not", cov_.unmapped, cov_.unmapped == 1 ? "does" : "do") : std::string());
  textActivations();
  std::vector<std::string> never;
  std::map<uint32_t, uint32_t> dup_of;
  for (size_t s = 0; s < cov_.duplicates.size(); ++s)
    for (uint32_t d : cov_.duplicates[s]) dup_of.emplace(d, static_cast<uint32_t>(s));
  for (size_t s = 0; s < cov_.per_statement.size(); ++s) {
    const auto si = static_cast<int32_t>(s);
    print(stdout, "{}: {}\n", where(p, si), shown(textOf(p, si)));
    if (auto it = dup_of.find(static_cast<uint32_t>(s)); it != dup_of.end()) {
      print(stdout, "    prints as line {} does; the kernel decides by line {}, never by this one\n",
            lineOf(p, static_cast<int32_t>(it->second)), lineOf(p, static_cast<int32_t>(it->second)));
      never.push_back(where(p, si));
      continue;
    }
    const DecisionCounts& c = cov_.per_statement[s];
    if (!c.total) never.push_back(where(p, si));
    print(stdout, "    {}\n", c.total ? countsText(c) : std::string("never fired"));
  }
  for (const auto& [text, c] : cov_.by_text) {
    const AuditRecord* first = cov_.first_of_text.at(text);
    const AuditActivation* a = activeAt(*first);
    print(stdout, "not in the policy: rule=\"{}\": {}; first at {}:{}{} ({})\n", shown(text), countsText(c),
          logOf(*first).name, first->line, first->exe.empty() ? std::string() : fmt::format(", exe {}", quote(first->exe)),
          a ? fmt::format("written while {} {} was active", quote(a->name), shown(a->version))
            : std::string("another policy or version was active?"));
  }
  print(stdout, "never fired: {} of {} statements{}\n", never.size(), cov_.per_statement.size(),
        never.empty() ? std::string() : fmt::format(" ({})", fmt::join(never, ", ")));
}

void Report::textCandidate() const {
  std::map<CandidateOutcome, uint32_t> n;
  for (const auto& [k, c] : classes_) n[c.verdict->outcome] += 1;
  print(stdout, "candidate {} ({}): {} event class{}: {} same, {} different, {} unknown, {} impossible{}\n",
        cand_->file->name(), headerText(*cand_), classes_.size(), classes_.size() == 1 ? "" : "es", n[CandidateOutcome::Same],
        n[CandidateOutcome::Different], n[CandidateOutcome::Unknown], n[CandidateOutcome::Impossible],
        cov_.unmapped ? fmt::format("; {} unmapped record{} not judged", cov_.unmapped, cov_.unmapped == 1 ? "" : "s")
                      : std::string());
  for (const auto& [k, c] : classes_) {
    const CandidateVerdict& v = *c.verdict;
    if (v.outcome == CandidateOutcome::Same && !o_.verbose) continue;
    std::vector<std::string> news;
    for (int32_t s : v.new_statements) news.push_back(where(*cand_, s));
    print(stdout, "  {}: {} {} {} ({} record{}), {} {}: {}{}\n", candidateOutcomeName(v.outcome), shown(k.op),
          shown(k.hook), shown(k.path), c.records, c.records == 1 ? "" : "s", where(*policy_, k.statement),
          sl::actionSpelling(policy_->parsed.policy.statements[k.statement].action),
          news.empty() ? std::string("no event of the model") : fmt::format("in the candidate {}", fmt::join(news, ", ")),
          v.over_budget ? " (more events than the budget; not judged)" : "");
    for (const auto* w : {&v.same, &v.different})
      if (*w)
        print(stdout, "      {} {} by {}: {}\n", w == &v.same ? "same:" : "different:", sl::actionSpelling((*w)->new_action),
              where(*cand_, (*w)->new_statement), (*w)->text);
  }
}

void Report::text() const {
  textLogs();
  textCoverage();
  if (cand_) textCandidate();
}

void Report::jsonDoc() const {
  json j;
  json logs = json::array();
  for (const Log& l : logs_) {
    json m = json::array(), u = json::array();
    for (const AuditLogLine& x : l.log.malformed) m.push_back({{"line", x.line}, {"reason", x.reason}, {"text", x.text}});
    for (const AuditLogLine& x : l.log.unparsed) u.push_back({{"line", x.line}, {"reason", x.reason}, {"text", x.text}});
    json lj = {{"file", l.name},          {"format", std::string(auditLogFormatName(l.log.format))},
               {"records", l.log.records.size()}, {"other_records", l.log.other_records},
               {"unparsed", l.log.unparsed_count}, {"malformed", m}};
    if (o_.verbose) lj["unparsed_lines"] = u;
    logs.push_back(lj);
  }
  j["logs"] = logs;
  json acts = json::array();
  for (const Log& l : logs_)
    for (const AuditActivation& a : l.log.activations)
      acts.push_back({{"file", l.name}, {"line", a.line}, {"name", a.name}, {"version", a.version}});
  j["activations"] = acts;
  j["records"] = cov_.records;
  j["mapped"] = cov_.mapped;
  j["unmapped"] = cov_.unmapped;
  json rules = json::array();
  if (policy_) {
    const auto& h = policy_->parsed.policy.header;
    j["policy"] = {{"file", policy_->file->name()}, {"name", h ? h->name : ""}, {"version", h ? h->version.str() : ""}};
    json never = json::array();
    for (size_t s = 0; s < cov_.per_statement.size(); ++s) {
      const auto si = static_cast<int32_t>(s);
      json r = countsJson(cov_.per_statement[s]);
      r["line"] = lineOf(*policy_, si);
      r["text"] = textOf(*policy_, si);
      r["audit_rule"] = auditRule(policy_->parsed.policy, policy_->parsed.policy.statements[s]);
      json d = json::array();
      for (uint32_t x : cov_.duplicates[s]) d.push_back(lineOf(*policy_, static_cast<int32_t>(x)));
      r["duplicates"] = d;
      if (!cov_.per_statement[s].total) never.push_back(r["line"]);
      rules.push_back(r);
    }
    j["never_fired"] = never;
    uint32_t other = 0;
    for (const AuditRecord* r : records_) other += underOtherPolicy(*r);
    j["other_policy_records"] = other;
  } else {
    j["policy"] = nullptr;
  }
  json texts = json::array();
  for (const auto& [text, c] : cov_.by_text) {
    json r = countsJson(c);
    r["audit_rule"] = text;
    const AuditRecord* first = cov_.first_of_text.at(text);
    r["first"] = recordJson(*first);
    texts.push_back(r);
  }
  j["rules"] = policy_ ? rules : texts;
  if (o_.verbose && policy_) {  // record by record: the statement that printed it
    json m = json::array();
    for (size_t i = 0; i < records_.size(); ++i)
      m.push_back({{"file", record_log_[i]->name}, {"line", records_[i]->line},
                   {"rule_line", cov_.statement_of[i] < 0 ? json(nullptr) : json(lineOf(*policy_, cov_.statement_of[i]))}});
    j["mapping"] = m;
  }
  if (policy_) j["unmapped_rules"] = texts;
  if (cand_) {
    json cl = json::array();
    for (const auto& [k, c] : classes_) {
      const CandidateVerdict& v = *c.verdict;
      json news = json::array();
      for (int32_t s : v.new_statements) news.push_back(s < 0 ? json(nullptr) : json(lineOf(*cand_, s)));
      cl.push_back({{"op", k.op}, {"hook", k.hook}, {"path", k.has_file ? json(k.path) : json(nullptr)},
                    {"audit_rule", k.rule}, {"line", lineOf(*policy_, k.statement)}, {"records", c.records},
                    {"outcome", std::string(candidateOutcomeName(v.outcome))}, {"events", v.events},
                    {"first", recordJson(*c.first)},
                    {"over_budget", v.over_budget}, {"candidate_lines", news},
                    {"witnesses", {{"same", witnessJson(v.same)}, {"different", witnessJson(v.different)}}}});
    }
    const auto& h = cand_->parsed.policy.header;
    json counts = {{"same", 0}, {"different", 0}, {"unknown", 0}, {"impossible", 0}};
    for (const auto& [k, c] : classes_) counts[std::string(candidateOutcomeName(c.verdict->outcome))] =
        counts[std::string(candidateOutcomeName(c.verdict->outcome))].get<int>() + 1;
    j["candidate"] = {{"file", cand_->file->name()}, {"name", h ? h->name : ""},
                      {"version", h ? h->version.str() : ""}, {"outcomes", counts}, {"classes", cl}};
  }
  printJson(j, 2);
}

}  // namespace

int runAudit(const AuditOptions& o) {
  int status = 0;
  std::optional<CheckedPolicy> policy, cand;
  if (!o.policy.empty() && !(policy = loadPolicy(o, o.policy, status))) return status;
  if (!o.candidate.empty() && !(cand = loadPolicy(o, o.candidate, status))) return status;
  std::vector<Log> logs;
  logs.reserve(o.logs.size());
  for (const std::string& path : o.logs) {
    auto in = readInputOrReport(path, o.max_file_size, /*policy=*/false);
    if (!in) return static_cast<int>(ExitCode::Usage);
    logs.push_back({in->display_name, parseAuditLog(in->bytes)});
  }
  Report r(o, logs, policy ? &*policy : nullptr, cand ? &*cand : nullptr);
  if (o.format == "json") r.jsonDoc();
  else r.text();
  return r.status();
}

}  // namespace ipec::driver
