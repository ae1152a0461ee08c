// SPDX-License-Identifier: Apache-2.0
// unreachable-default: a DEFAULT that decides no event of an op, because rules match every
// event of the op first. For an op's own DEFAULT this is usually a rule (or a pair of rules such
// as `fsverity_signature=TRUE` and `fsverity_signature=FALSE`) broader than meant; for the
// global DEFAULT it is said once for each op it serves.
#include <fmt/format.h>

#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

void checkUnreachableDefaults(const AnalysisContext& cx) {
  for (sl::Op op : sl::kAllOps) {
    const OpResult& o = cx.reach.ops[static_cast<unsigned>(op)];
    const int32_t d = cx.index.defaultFor(op);
    if (!o.has_events || o.default_reached || d < 0) continue;
    const std::string ops = fmt::format("`op={}`", sl::opSpelling(op));
    const std::string who = cx.rulesPhrase(o.default_cover);
    const char* verb = o.default_cover.size() > 1 ? "together match" : "matches";
    std::string message =
        cx.policy.statements[d].isGlobalDefault()
            ? fmt::format("this DEFAULT never decides an {} event: {} {} every one first", ops, who, verb)
            : fmt::format("this DEFAULT never decides: {} {} every {} event first", who, verb, ops);
    cx.warn(DiagId::UnreachableDefault, static_cast<uint32_t>(d), std::move(message),
            cx.notesAt(o.default_cover, fmt::format("matches every {} event", ops),
                       fmt::format("matches part of the {} events", ops)),
            fmt::format(R"({{"op":"{}","covered_by_lines":[{}]}})", sl::opSpelling(op), cx.jsonLines(o.default_cover)));
  }
}

}  // namespace ipec::analysis
