// SPDX-License-Identifier: Apache-2.0
// textDocument/completion: the words the kernel's parser accepts at the cursor, for the target's
// dialect and for what the line holds already (ipe-language.md §1.4-1.5): the header's two
// tokens on the first line; DEFAULT only first; one op=, right after DEFAULT or first; no property
// on a DEFAULT line and none twice; action= last. Ops the target never evaluates and properties
// it compiled out are offered last, and `detail` says why. Each item replaces the word under the
// cursor, or only its value once the word has a `key=`.
#include <fmt/format.h>
#include <llvm/ADT/STLExtras.h>

#include "analysis/event_model.h"
#include "lsp/features.h"
#include "lsp/features/cursor.h"
#include "lsp/features/explain.h"

namespace ipec::lsp {
namespace {

namespace sl = ipec::stdlib;
using frontend::Token;
using frontend::TokenKind;

// LSP CompletionItemKind values.
constexpr int kFunction = 3, kProperty = 10, kKeyword = 14, kEnumMember = 20;

class Completer {
 public:
  Completer(const Analyzed& a, PositionEncoding enc, const CursorLine& cl, uint32_t offset)
      : a_(a), t_(a.config.target), enc_(enc), cl_(cl) {
    word_ = cl.tokenAt(offset, /*at_end=*/true);
    range_ = word_ ? cl.tokens[*word_].range : Range{offset, offset};
    prefix_ = a.text({range_.begin, offset});
    for (size_t i = 0; i < cl.tokens.size(); ++i) {
      if (word_ && i == *word_) continue;
      (cl.tokens[i].range.end <= range_.begin ? before_ : after_).push_back(cl.tokens[i]);
    }
  }

  json run() {
    if (cl_.before_header) return std::move(items_);
    if (cl_.header) {
      header();
      return std::move(items_);
    }
    const size_t eq = prefix_.find('=');
    if (eq == std::string_view::npos) {
      words();
      return std::move(items_);
    }
    values(prefix_.substr(0, eq), {range_.begin + static_cast<uint32_t>(eq) + 1, range_.end});
    return std::move(items_);
  }

 private:
  bool others(TokenKind k) const {
    auto is = [&](const Token& t) { return t.kind == k; };
    return llvm::any_of(before_, is) || llvm::any_of(after_, is);
  }
  TokenKind first() const { return before_.empty() ? TokenKind::Word : before_.front().kind; }
  // An op fits first, or right after DEFAULT, once per line.
  bool opFits() const {
    return !others(TokenKind::Op) && (before_.empty() || (before_.size() == 1 && first() == TokenKind::Default));
  }
  // action= fits last, on a line that starts with DEFAULT or an op.
  bool actionFits() const {
    return after_.empty() && !others(TokenKind::Action) && !before_.empty() &&
           (first() == TokenKind::Op || first() == TokenKind::Default);
  }
  // Properties fit on a rule (not a DEFAULT) before its action.
  bool propertyFits() const {
    return first() == TokenKind::Op && llvm::none_of(before_, [](const Token& t) { return t.kind == TokenKind::Action; });
  }
  bool given(sl::Prop p) const {
    auto same = [&](const Token& t) { return t.kind == TokenKind::Property && sl::lookupProp(a_.text(t.key())) == p; };
    return llvm::any_of(before_, same) || llvm::any_of(after_, same);
  }

  void add(std::string label, int kind, std::string detail, std::string doc, Range replace, bool effective) {
    // Items that have an effect on the target first, each group in catalog order.
    std::string sort = fmt::format("{}{:03}", effective ? 0 : 1, items_.size());
    json item = {{"label", label},
                 {"kind", kind},
                 {"detail", std::move(detail)},
                 {"documentation", {{"kind", "markdown"}, {"value", std::move(doc)}}},
                 {"sortText", std::move(sort)},
                 {"textEdit", {{"range", toJson(toLspRange(*a_.index, replace, enc_))}, {"newText", label}}}};
    items_.push_back(std::move(item));
  }

  void header() {
    if (prefix_.find('=') != std::string_view::npos) return;  // a name or version: the user's own
    if (before_.empty() && !others(TokenKind::PolicyName))
      add(std::string(sl::kPolicyNamePrefix), kKeyword, "the policy's name", explain::policyName("NAME"), range_, true);
    if (before_.size() == 1 && first() == TokenKind::PolicyName && !others(TokenKind::PolicyVersion))
      add(std::string(sl::kPolicyVersionPrefix), kKeyword, "major.minor.revision",
          explain::policyVersion("MAJOR.MINOR.REVISION", std::nullopt), range_, true);
  }

  void words() {
    if (before_.empty() && !others(TokenKind::Default))
      add(std::string(sl::kDefaultKeyword), kKeyword, "what decides the events no rule matches",
          explain::defaultWord(a_, {}), range_, true);
    if (opFits()) ops(true, range_);
    if (propertyFits()) properties(range_);
    if (actionFits()) actions(true, range_);
  }

  void values(std::string_view key, Range value) {
    if (fmt::format("{}=", key) == sl::kOpPrefix) {
      if (opFits()) ops(false, value);
      return;
    }
    if (fmt::format("{}=", key) == sl::kActionPrefix) {
      if (actionFits()) actions(false, value);
      return;
    }
    const std::optional<sl::Prop> p = sl::lookupProp(key);
    if (!p || !t_.dialect.knows(sl::propSeries(*p)) || !propertyFits()) return;
    if (sl::propDomain(*p) == sl::Domain::Digest) return digestAlgs(*p, value);
    for (std::string_view v : sl::valueSpellings(sl::propDomain(*p)))
      add(std::string(v), kEnumMember, explain::propertyBrief(t_, *p, v), explain::property(t_, *p, v), value,
          explain::compiledIn(t_, *p));
  }

  void ops(bool whole, Range replace) {
    for (sl::Op o : sl::kAllOps) {
      if (!t_.dialect.knows(sl::opSeries(o))) continue;
      std::string label = whole ? fmt::format("{}{}", sl::kOpPrefix, sl::opSpelling(o)) : std::string(sl::opSpelling(o));
      add(std::move(label), kFunction, explain::opBrief(t_, o), explain::op(t_, o), replace, analysis::opEvaluated(t_, o));
    }
  }

  void actions(bool whole, Range replace) {
    const explain::Scope scope = scopeOf(a_, cl_);
    for (sl::Action act : sl::kAllActions) {
      std::string label = whole ? fmt::format("{}{}", sl::kActionPrefix, sl::actionSpelling(act))
                                : std::string(sl::actionSpelling(act));
      add(std::move(label), whole ? kKeyword : kEnumMember,
          scope.is_default ? "what this DEFAULT decides" : "the decision when this rule matches first",
          explain::actionWord(a_, scope, act), replace, true);
    }
  }

  void properties(Range replace) {
    for (sl::Prop p : sl::kAllProps) {
      if (!t_.dialect.knows(sl::propSeries(p)) || given(p)) continue;
      const std::string key = fmt::format("{}=", sl::propKey(p));
      const bool effective = explain::compiledIn(t_, p);
      if (sl::propDomain(p) == sl::Domain::Digest) {
        add(key, kProperty, explain::propertyBrief(t_, p, std::nullopt), explain::property(t_, p, std::nullopt),
            replace, effective);
        continue;
      }
      for (std::string_view v : sl::valueSpellings(sl::propDomain(p)))
        add(key + std::string(v), kProperty, explain::propertyBrief(t_, p, v), explain::property(t_, p, v), replace,
            effective);
    }
  }

  // The algorithms the property's verity can report, as `alg:` prefixes.
  void digestAlgs(sl::Prop p, Range replace) {
    const bool fs = p == sl::Prop::FsverityDigest;
    for (unsigned i = 0; i < sl::kNumDigestAlgs; ++i) {
      const auto d = static_cast<sl::DigestAlg>(i);
      if (!(fs ? sl::fsverityProduces(d) : sl::dmverityProduces(d))) continue;
      const bool effective = explain::compiledIn(t_, p);
      std::string detail = effective ? fmt::format("{} bytes: {} hex digits", sl::digestAlgLength(d), 2 * sl::digestAlgLength(d))
                                     : explain::propertyBrief(t_, p, std::nullopt);
      add(fmt::format("{}{}", sl::digestAlgName(d), sl::kDigestSeparator), kEnumMember, std::move(detail),
          explain::property(t_, p, std::nullopt), replace, effective);
    }
  }

  const Analyzed& a_;
  const analysis::Target& t_;
  PositionEncoding enc_;
  const CursorLine& cl_;
  std::optional<size_t> word_;
  Range range_;
  std::string_view prefix_;
  std::vector<Token> before_, after_;
  json items_ = json::array();
};

}  // namespace

json completion(const Feature& f) {
  const Analyzed& a = f.doc;
  const uint32_t offset = cursorOffset(f);
  const CursorLine cl = cursorLine(*a.checked.file, offset);
  json items = json::array();
  if (cl.live && !cl.inComment(offset)) items = Completer(a, f.enc, cl, offset).run();
  return {{"isIncomplete", false}, {"items", std::move(items)}};
}

}  // namespace ipec::lsp
