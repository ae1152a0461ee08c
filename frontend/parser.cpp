// SPDX-License-Identifier: Apache-2.0
#include "frontend/parser.h"

#include <antlr4-runtime.h>

#include <fmt/format.h>
#include <llvm/ADT/SmallVector.h>

#include <memory>
#include <string>

#include "IpePolicyParser.h"
#include "base/suggest.h"
#include "base/utf8.h"
#include "frontend/spacing.h"
#include "frontend/values.h"

namespace ipec::frontend {
namespace {

namespace sl = ipec::stdlib;
using G = grammar::IpePolicyParser;

size_t grammarType(TokenKind k) {
  switch (k) {
    case TokenKind::Default: return G::DEFAULT_KW;
    case TokenKind::Op: return G::OP;
    case TokenKind::Action: return G::ACTION;
    case TokenKind::PolicyName: return G::POLICY_NAME;
    case TokenKind::PolicyVersion: return G::POLICY_VERSION;
    case TokenKind::Property: return G::PROPERTY;
    case TokenKind::Word: return G::WORD;
  }
  return G::WORD;
}

// Stop at the first structural problem of a line: the kernel stops there too, and a fresh
// parse of the next line is the recovery. ANTLR's token insertion/deletion would only invent
// structure the kernel never sees.
class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  void recover(antlr4::Parser*, std::exception_ptr e) override { std::rethrow_exception(e); }
  antlr4::Token* recoverInline(antlr4::Parser* p) override { throw antlr4::InputMismatchException(p); }
  void sync(antlr4::Parser*) override {}
  void reportError(antlr4::Parser*, const antlr4::RecognitionException&) override {}
};

// Hands the parser one line's tokens, made as the parser asks for them, then EOF. With an
// unbuffered stream and no parse tree, ANTLR holds O(1) tokens however long the line is.
class LineTokenSource : public antlr4::TokenSource {
 public:
  void reset(const Token* tokens, size_t n) {
    tokens_ = tokens;
    n_ = n;
    next_ = 0;
  }
  std::unique_ptr<antlr4::Token> nextToken() override {
    if (next_ < n_) {
      const Token& t = tokens_[next_];
      auto tok = std::make_unique<antlr4::CommonToken>(grammarType(t.kind));
      tok->setStartIndex(t.range.begin);
      tok->setStopIndex(t.range.end - 1);
      tok->setTokenIndex(next_++);
      return tok;
    }
    auto eof = std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF);
    size_t end = n_ ? tokens_[n_ - 1].range.end : 0;
    eof->setStartIndex(end);
    eof->setStopIndex(end - 1);
    eof->setTokenIndex(n_);
    return eof;
  }
  size_t getLine() const override { return 1; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "policy"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  const Token* tokens_ = nullptr;
  size_t n_ = 0;
  size_t next_ = 0;
};

// Where a line's structure first breaks: token index into the line (== size for end of line).
struct SyntaxFailure {
  size_t index;
};

// Runs the grammar over one line's tokens. The grammar decides whether the line is well formed
// and where it first breaks; the AST is then read off the tokens, whose roles the accepted
// structure fixes.
class LineParser {
 public:
  LineParser() : empty_stream_(&empty_source_), parser_(&empty_stream_) {
    parser_.removeErrorListeners();
    parser_.setErrorHandler(std::make_shared<FirstErrorStrategy>());
    parser_.setBuildParseTree(false);
    parser_.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
  }

  std::optional<SyntaxFailure> parse(const Token* tokens, size_t n, bool header) {
    std::optional<SyntaxFailure> failure;
    source_.reset(tokens, n);
    {
      antlr4::UnbufferedTokenStream stream(&source_);
      parser_.setTokenStream(&stream);
      try {
        if (header) parser_.headerLine();
        else parser_.statementLine();
      } catch (const antlr4::RecognitionException& e) {
        antlr4::Token* off = e.getOffendingToken();
        size_t idx = off && off->getType() != antlr4::Token::EOF ? off->getTokenIndex() : n;
        failure = SyntaxFailure{idx < n ? idx : n};
      }
      parser_.setTokenStream(&empty_stream_);
    }
    parser_.getTreeTracker().reset();
    return failure;
  }

 private:
  LineTokenSource empty_source_, source_;
  antlr4::UnbufferedTokenStream empty_stream_;
  G parser_;
};

bool hasHiddenSpace(std::string_view text) {
  for (unsigned char c : text)
    if (sl::isKernelSpace(c) && !sl::isTokenDelimiter(c)) return true;
  return false;
}

class PolicyParser {
 public:
  PolicyParser(const SourceFile& file, const ParseOptions& options, DiagnosticEngine& diags)
      : file_(file), bytes_(file.bytes()), options_(options), diags_(diags) {}

  ParseResult run() {
    LineScanner scanner(file_, &diags_);
    out_.policy_end = scanner.policyEnd();
    if (file_.size() == 0) {
      error(DiagId::MissingHeader, {0, 0}, "the policy is empty", Errno::BadMsg, {KernelPhase::Parse, 0});
      return std::move(out_);
    }
    Line line;
    std::vector<Token> tokens;
    while (scanner.next(line, tokens)) {
      if (!line.hasTokens()) continue;
      if (!header_seen_ && !reportByteOrderMark(line, tokens)) continue;
      reportSpacing(line, tokens);
      if (!header_seen_) {
        header_seen_ = true;
        parseHeader(line, tokens.data());
      } else {
        parseStatement(line, tokens.data());
      }
      // Past the error limit, with the kernel's verdict settled by an earlier line, the rest
      // could only add errors nobody sees: stop (a 100 MB file of junk stays cheap).
      if (diags_.errorLimitReached() && diags_.rejectsIn(KernelPhase::Parse) && nextStatement(scanner, line, tokens)) {
        Diagnostic d;
        d.id = DiagId::TooManyErrors;
        d.severity = Severity::Note;
        d.range = {line.text.begin, line.text.begin};
        d.message = "too many errors; stopped here: the kernel already rejects the policy at its first error, "
                    "and later lines are not checked (use --error-limit=0 to check them all)";
        diags_.report(std::move(d));
        return std::move(out_);
      }
    }
    validate();
    return std::move(out_);
  }

 private:
  std::string_view text(Range r) const { return bytes_.substr(r.begin, r.size()); }

  // A UTF-8 byte-order mark is not skipped by the kernel: it is the start of the first token, so
  // the header fails. Indentation before it does not matter (the kernel skips that, and so does
  // `ipec fmt`, which must not change the diagnosis). After the error, the rest is read as if the
  // mark were not there (it is what the author sees). False when nothing is left of the line.
  bool reportByteOrderMark(Line& line, std::vector<Token>& tokens) {
    const uint32_t at = tokens[0].range.begin;
    if (!text(tokens[0].range).starts_with(kUtf8ByteOrderMark)) return true;
    const Range bom{at, at + static_cast<uint32_t>(kUtf8ByteOrderMark.size())};
    error(DiagId::ByteOrderMark, bom,
          fmt::format("the {} a UTF-8 byte-order mark (bytes EF BB BF), which the kernel does not skip: its first "
                      "token is {}, not `policy_name=...`; save the file as UTF-8 without a byte-order mark",
                      at == 0 ? "file starts with" : "policy's first token starts with", quote(text(tokens[0].range))),
          Errno::BadMsg, {KernelPhase::Parse, at}, {}, {{bom, ""}});
    if (tokens[0].range.size() == bom.size()) tokens.erase(tokens.begin());
    else tokens[0] = classify(text({bom.end, tokens[0].range.end}), bom.end);
    line.token_count = static_cast<uint32_t>(tokens.size());
    return line.hasTokens();
  }

  // `key = value` with spaces: one error at the first token, where the kernel fails, then the
  // line is read as it was meant.
  void reportSpacing(Line& line, std::vector<Token>& tokens) {
    for (const SpacedAssignment& s : joinSpacedAssignments(bytes_, tokens, /*header=*/!header_seen_))
      diags_.report(spacingDiagnostic(bytes_, s), {KernelPhase::Parse, s.range.begin});
    line.token_count = static_cast<uint32_t>(tokens.size());
  }

  // The next line with tokens, if any.
  static bool nextStatement(LineScanner& scanner, Line& line, std::vector<Token>& tokens) {
    while (scanner.next(line, tokens))
      if (line.hasTokens()) return true;
    return false;
  }

  void error(DiagId id, Range r, std::string message, Errno err, KernelOrder order,
             std::vector<RelatedNote> notes = {}, std::vector<FixIt> fixits = {}) {
    Diagnostic d;
    d.id = id;
    d.severity = Severity::Error;
    d.range = r;
    d.message = std::move(message);
    d.notes = std::move(notes);
    d.kernel_errno = err;
    d.fixits = std::move(fixits);
    diags_.report(std::move(d), order);
  }
  void parseError(DiagId id, Range r, std::string message, Errno err = Errno::BadMsg,
                  std::vector<RelatedNote> notes = {}, std::vector<FixIt> fixits = {}) {
    error(id, r, std::move(message), err, {KernelPhase::Parse, r.begin}, std::move(notes), std::move(fixits));
  }
  // A problem the kernel notices after reading the whole line.
  void lineEndError(DiagId id, const Line& line, Range r, std::string message,
                    std::vector<RelatedNote> notes = {}) {
    error(id, r, std::move(message), Errno::BadMsg, {KernelPhase::Parse, line.content.end},
          std::move(notes));
  }

  // "; did you mean ...?" for `word` among `candidates`, and the fix-it that puts the closest one
  // in `where` when it is the only closest. `role` names what is case-sensitive ("ops").
  static std::string hint(std::string_view word, const std::vector<std::string_view>& candidates, Range where,
                          std::string_view role, std::vector<FixIt>& fixits) {
    std::optional<Suggestion> s = suggest(word, candidates);
    if (!s) return {};
    if (s->unique()) fixits.push_back({where, std::string(s->best[0])});
    return fmt::format("; {}", didYouMean(*s, role));
  }

  void noteHiddenSpace(std::vector<RelatedNote>& notes, const Token& t) const {
    if (hasHiddenSpace(text(t.range)))
      notes.push_back({t.range, "this token contains a vertical tab, form feed or 0xA0 byte; only "
                                "space and TAB separate tokens"});
  }

  // ---- header -----------------------------------------------------------------------------
  void parseHeader(const Line& line, const Token* toks) {
    const size_t n = line.token_count;
    std::optional<SyntaxFailure> failure = line_parser_.parse(toks, n, /*header=*/true);
    bool name_ok = false, version_ok = false;
    ast::Header h;
    h.range = {toks[0].range.begin, toks[n - 1].range.end};  // from the first token: not the indentation
    if (toks[0].kind == TokenKind::PolicyName) {
      h.name_range = toks[0].value();
      h.name = std::string(text(h.name_range));
      name_ok = !h.name.empty();
      if (!name_ok)
        parseError(DiagId::BadHeader, toks[0].range, "the policy name is empty");
    }
    if (n >= 2 && toks[0].kind == TokenKind::PolicyName && toks[1].kind == TokenKind::PolicyVersion)
      version_ok = parseHeaderVersion(toks[1], h);
    if (failure) reportHeaderSyntax(line, toks, failure->index);
    if (!failure && name_ok && version_ok) out_.policy.header = std::move(h);
    else header_broken_ = true;
  }

  bool parseHeaderVersion(const Token& tok, ast::Header& h) {
    h.version_range = tok.value();
    std::string_view value = text(h.version_range);
    if (value.empty()) {
      parseError(DiagId::BadVersion, tok.range, "policy_version is empty");
      return false;
    }
    VersionResult v = parseVersion(value);
    for (const VersionProblem& p : v.problems) {
      Range r{h.version_range.begin + p.begin, h.version_range.begin + p.end};
      std::string msg = p.end > p.begin && p.error != Errno::BadMsg
                            ? fmt::format("{} ({})", p.message, quote(text(r)))
                            : p.message;
      error(DiagId::BadVersion, r, std::move(msg), p.error, {KernelPhase::Parse, r.begin});
    }
    for (int i = 0; i < 3; ++i) h.version.parts[i] = v.parts[i];
    return v.problems.empty();
  }

  void reportHeaderSyntax(const Line& line, const Token* toks, size_t k) {
    const size_t n = line.token_count;
    static constexpr const char* kShape = "`policy_name=NAME policy_version=MAJOR.MINOR.REV`";
    if (k == 0) {
      const Token& t = toks[0];
      bool looks_like_rule = t.kind == TokenKind::Op || t.kind == TokenKind::Default ||
                             t.kind == TokenKind::Action || t.kind == TokenKind::Property;
      if (looks_like_rule) {
        parseError(DiagId::MissingHeader, t.range,
                   fmt::format("the first line of a policy must be its header {}; found {}", kShape,
                               quote(text(t.range))));
      } else if (t.kind == TokenKind::PolicyVersion) {
        parseError(DiagId::BadHeader, t.range,
                   fmt::format("the header must start with `policy_name=`; expected {}", kShape));
      } else {
        std::vector<RelatedNote> notes;
        noteHiddenSpace(notes, t);
        parseError(DiagId::BadHeader, t.range,
                   fmt::format("expected the policy header {}, found {}", kShape, quote(text(t.range))),
                   Errno::BadMsg, std::move(notes));
      }
      return;
    }
    if (k >= n) {
      lineEndError(DiagId::BadHeader, line, toks[n - 1].range,
                   fmt::format("the header has no `policy_version=`; expected {}", kShape));
      return;
    }
    const Token& t = toks[k];
    if (k == 1) {
      parseError(DiagId::BadHeader, t.range,
                 fmt::format("expected `policy_version=` after the policy name, found {}", quote(text(t.range))));
      return;
    }
    parseError(DiagId::BadHeader, t.range,
               fmt::format("unexpected {} after the header; the header line holds exactly two tokens",
                           quote(text(t.range))));
  }

  // ---- statements ---------------------------------------------------------------------------
  void parseStatement(const Line& line, const Token* toks) {
    const size_t n = line.token_count;
    std::optional<SyntaxFailure> failure = line_parser_.parse(toks, n, /*header=*/false);
    ast::Statement stmt;
    const size_t props_before = out_.policy.properties.size();
    size_t skip = failure ? failure->index : n + 1;
    bool values_ok = validateValues(line, toks, skip);
    bool built = !failure && buildStatement(line, toks, stmt);
    if (failure) reportStatementSyntax(line, toks, failure->index);
    bool starts_default = toks[0].kind == TokenKind::Default;
    if (failure || !values_ok || !built) {
      out_.policy.properties.resize(props_before);  // a partly built statement leaves nothing behind
      if (starts_default) default_line_broken_ = true;
      return;
    }
    if (!checkStatement(line, toks, stmt)) {
      return;
    }
    out_.policy.statements.push_back(stmt);
  }

  // Reads an accepted line into an AST statement: [DEFAULT] [op= property*] action=, the
  // structure the grammar accepted (values are validated separately).
  bool buildStatement(const Line& line, const Token* toks, ast::Statement& s) {
    const size_t n = line.token_count;
    size_t k = 0;
    s.range = {toks[0].range.begin, toks[n - 1].range.end};  // from the first token: not the indentation
    s.kind = toks[0].kind == TokenKind::Default ? ast::StatementKind::Default : ast::StatementKind::Rule;
    if (s.isDefault()) ++k;
    const Token& at = toks[n - 1];
    s.action_range = at.range;
    auto act = sl::lookupAction(text(at.value()));
    if (!act) return false;
    s.action = *act;
    s.first_prop = static_cast<uint32_t>(out_.policy.properties.size());
    if (k < n - 1 && toks[k].kind == TokenKind::Op) {
      auto o = sl::lookupOp(text(toks[k].value()));
      if (!o) return false;
      s.has_op = true;
      s.op = *o;
      s.op_range = toks[k].range;
      for (++k; k < n - 1; ++k) {
        auto prop = buildProperty(toks[k]);
        if (!prop) {
          out_.policy.properties.resize(s.first_prop);
          return false;
        }
        out_.policy.properties.push_back(*prop);
      }
    }
    s.prop_count = static_cast<uint32_t>(out_.policy.properties.size()) - s.first_prop;
    return true;
  }

  std::optional<ast::Property> buildProperty(const Token& t) {
    auto prop = sl::lookupProp(text(t.key()));
    if (!prop || !options_.dialect.knows(sl::propSeries(*prop))) return std::nullopt;
    ast::Property p;
    p.prop = *prop;
    p.range = t.range;
    std::string_view value = text(t.value());
    sl::Domain dom = sl::propDomain(*prop);
    if (dom == sl::Domain::Digest) {
      // validateDigest() decoded and interned it already.
      for (auto [at, id] : line_digests_)
        if (at == t.range.begin) {
          p.digest = id;
          return p;
        }
      return std::nullopt;
    }
    auto v = sl::lookupValue(dom, value);
    if (!v) return std::nullopt;
    p.value = *v;
    return p;
  }

  // Checks every op, property and action value in the role the kernel reads the token in:
  // tokens before the last are DEFAULT/op/properties, the last one is the action. The token at
  // which the structure broke (index `skip`) is reported by the syntax error instead.
  bool validateValues(const Line& line, const Token* toks, size_t skip) {
    const size_t n = line.token_count;
    line_digests_.clear();
    bool ok = true;
    for (size_t i = 0; i < n; ++i) {
      if (i == skip) continue;
      const Token& t = toks[i];
      bool last = i + 1 == n;
      if (last) {
        if (t.kind == TokenKind::Action) ok &= validateAction(t);
      } else if (t.kind == TokenKind::Op) {
        ok &= validateOp(t);
      } else if (t.kind == TokenKind::Property) {
        ok &= validateProperty(t);
      }
    }
    return ok;
  }

  bool validateAction(const Token& t) {
    std::string_view v = text(t.value());
    if (sl::lookupAction(v)) return true;
    std::vector<FixIt> fixits;
    std::string msg = hint(v, sl::actionSpellings(), t.value(), "actions", fixits);
    if (msg.empty()) msg = "; expected `ALLOW` or `DENY`";
    std::vector<RelatedNote> notes;
    noteHiddenSpace(notes, t);
    parseError(DiagId::UnknownAction, t.range, fmt::format("unknown action {}{}", quote(v), msg), Errno::BadMsg,
               std::move(notes), std::move(fixits));
    return false;
  }

  bool validateOp(const Token& t) {
    std::string_view v = text(t.value());
    if (auto op = sl::lookupOp(v)) {
      if (options_.dialect.knows(sl::opSeries(*op))) return true;
      parseError(DiagId::UnsupportedToken, t.range,
                 fmt::format("{} is not known to {}; it comes with {}, and this kernel rejects the policy",
                             quote(text(t.range)), options_.dialect_name, sl::seriesName(sl::opSeries(*op))));
      return false;
    }
    const std::vector<std::string_view> ops = sl::opSpellings(options_.dialect);
    std::vector<FixIt> fixits;
    std::string msg = hint(v, ops, t.value(), "ops", fixits);
    if (msg.empty()) msg = fmt::format("; expected one of {}", fmt::join(ops, ", "));
    std::vector<RelatedNote> notes;
    noteHiddenSpace(notes, t);
    parseError(DiagId::UnknownOp, t.range, fmt::format("unknown op {}{}", quote(v), msg), Errno::BadMsg,
               std::move(notes), std::move(fixits));
    return false;
  }

  // A key that was published but never merged: name the key it stands for, and replace it when
  // the target's kernel knows that one.
  bool reportFormerKey(const Token& t, std::string_view key, sl::FormerKey former) {
    const std::string_view meant = sl::propKey(former.prop);
    std::vector<FixIt> fixits;
    std::string msg;
    if (options_.dialect.knows(sl::propSeries(former.prop))) {
      fixits.push_back({t.key(), std::string(meant)});
      msg = fmt::format("unknown property {}; did you mean {}? ({} is the spelling of {}; no kernel accepts it)",
                        quote(key), quote(meant), quote(key), former.source);
    } else {
      msg = fmt::format(
          "unknown property {}: the spelling of {} for {}, which {} does not know either (it comes with {})",
          quote(key), former.source, quote(meant), options_.dialect_name, sl::seriesName(sl::propSeries(former.prop)));
    }
    std::vector<RelatedNote> notes;
    noteHiddenSpace(notes, t);
    parseError(DiagId::UnknownProperty, t.range, msg, Errno::BadMsg, std::move(notes), std::move(fixits));
    return false;
  }

  bool validateProperty(const Token& t) {
    std::string_view key = text(t.key());
    std::string_view value = text(t.value());
    auto prop = sl::lookupProp(key);
    if (!prop) {
      if (auto former = sl::lookupFormerKey(key)) return reportFormerKey(t, key, *former);
      std::vector<FixIt> fixits;
      std::string msg = hint(key, sl::propKeys(options_.dialect), t.key(), "keys", fixits);
      std::vector<RelatedNote> notes;
      noteHiddenSpace(notes, t);
      parseError(DiagId::UnknownProperty, t.range, fmt::format("unknown property {}{}", quote(key), msg),
                 Errno::BadMsg, std::move(notes), std::move(fixits));
      return false;
    }
    if (!options_.dialect.knows(sl::propSeries(*prop))) {
      parseError(DiagId::UnsupportedToken, t.range,
                 fmt::format("property {} is not known to {}; it comes with {}, and this kernel rejects the policy",
                             quote(key), options_.dialect_name, sl::seriesName(sl::propSeries(*prop))));
      return false;
    }
    sl::Domain dom = sl::propDomain(*prop);
    if (dom == sl::Domain::Digest) return validateDigest(t, key, value);
    if (sl::lookupValue(dom, value)) return true;
    std::string expected;
    for (uint8_t i = 0; i < sl::domainSize(dom); ++i)
      fmt::format_to(std::back_inserter(expected), "{}`{}`",
                     i == 0 ? "" : i + 1u == sl::domainSize(dom) ? " or " : ", ", sl::valueSpelling(dom, i));
    std::vector<FixIt> fixits;
    std::string did = hint(value, sl::valueSpellings(dom), t.value(), "values", fixits);
    std::string msg = value.empty() ? fmt::format("property {} has no value; expected {}", quote(key), expected)
                                    : did.empty()
                                        ? fmt::format("invalid value {} for {}; expected {}", quote(value), quote(key), expected)
                                        : fmt::format("invalid value {} for {}{}", quote(value), quote(key), did);
    std::vector<RelatedNote> notes;
    noteHiddenSpace(notes, t);
    Range r = value.empty() ? t.range : t.value();
    parseError(DiagId::BadPropertyValue, r, msg, Errno::BadMsg, std::move(notes), std::move(fixits));
    return false;
  }

  bool validateDigest(const Token& t, std::string_view key, std::string_view value) {
    Range vr = t.value();
    if (value.empty()) {
      parseError(DiagId::BadDigest, t.range,
                 fmt::format("property {} has no value; expected `alg:hex`, e.g. `sha256:<64 hex digits>`",
                             quote(key)));
      return false;
    }
    DigestResult d = parseDigest(value);
    if (d.error == Errno::None) {
      line_digests_.emplace_back(t.range.begin, out_.policy.digests.intern(d.alg, d.bytes.str()));
      return true;
    }
    if (d.error == Errno::BadMsg) {
      std::vector<RelatedNote> notes;
      noteHiddenSpace(notes, t);
      parseError(DiagId::BadDigest, vr,
                 fmt::format("digest {} has no `alg:` prefix; write it as {}", quote(value),
                             quote(fmt::format("sha256:{}{}", value.substr(0, 16), value.size() > 16 ? "..." : ""))),
                 Errno::BadMsg, std::move(notes));
      return false;
    }
    if (d.odd_length) {
      parseError(DiagId::BadDigest, vr,
                 fmt::format("digest has an odd number of hex digits ({})", value.size() - d.alg.size() - 1),
                 Errno::Inval);
      return false;
    }
    Range bad{vr.begin + d.bad_offset, vr.begin + d.bad_offset + 1};
    std::vector<RelatedNote> notes;
    if (bytes_[bad.begin] == sl::kDigestSeparator)
      notes.push_back({std::nullopt, "only the first `:` separates the algorithm from the digest"});
    error(DiagId::BadDigest, bad, fmt::format("{} is not a hex digit", quote(text(bad))), Errno::Inval,
          {KernelPhase::Parse, t.range.begin}, std::move(notes));
    return false;
  }

  void reportStatementSyntax(const Line& line, const Token* toks, size_t k) {
    const size_t n = line.token_count;
    if (k >= n) {
      const Token& last = toks[n - 1];
      if (n == 1 && last.kind == TokenKind::Default) {
        parseError(DiagId::MissingAction, last.range,
                   "`DEFAULT` needs an action: `DEFAULT action=ALLOW` or `DEFAULT op=<OP> action=DENY`");
        return;
      }
      std::vector<RelatedNote> notes;
      noteHiddenSpace(notes, last);
      parseError(DiagId::MissingAction, last.range,
                 fmt::format("the line does not end with `action=ALLOW` or `action=DENY`; the kernel reads the "
                             "last token, {}, as the action",
                             quote(text(last.range))),
                 Errno::BadMsg, std::move(notes));
      return;
    }
    const Token& t = toks[k];
    if (k > 0 && toks[k - 1].kind == TokenKind::Action) {
      const Token& a = toks[k - 1];
      parseError(DiagId::MisplacedToken, a.range,
                 fmt::format("{} must be the last token of the line", quote(text(a.range))),
                 Errno::BadMsg, {{t.range, "followed by this"}});
      return;
    }
    switch (t.kind) {
      case TokenKind::Default:
        parseError(DiagId::MisplacedToken, t.range, "`DEFAULT` must be the first token of the line");
        return;
      case TokenKind::Op: {
        size_t first = toks[0].kind == TokenKind::Default ? 1 : 0;
        parseError(DiagId::MisplacedToken, t.range, "a line takes one `op=`; this is a second one",
                   Errno::BadMsg, {{toks[first].range, "the first `op=` is here"}});
        return;
      }
      case TokenKind::PolicyName:
      case TokenKind::PolicyVersion: {
        std::vector<RelatedNote> notes;
        if (out_.policy.header) notes.push_back({out_.policy.header->range, "the header is here"});
        parseError(DiagId::MisplacedToken, t.range,
                   k == 0 ? "only the first non-empty line is the header; the kernel parses this line as a rule"
                          : fmt::format("{} belongs in the header, not in a rule", quote(text(t.range))),
                   Errno::BadMsg, std::move(notes));
        return;
      }
      case TokenKind::Property:
      case TokenKind::Word: {
        bool after_default = k == 1 && toks[0].kind == TokenKind::Default;
        std::vector<RelatedNote> notes;
        noteHiddenSpace(notes, t);
        if (after_default) {
          parseError(DiagId::DefaultWithProperty, t.range,
                     fmt::format("`DEFAULT` takes no properties; expected `op=<OP>` or `action=` after it, found {}",
                                 quote(text(t.range))),
                     Errno::BadMsg, std::move(notes));
        } else if (k == 0) {
          parseError(DiagId::MissingOp, t.range,
                     fmt::format("a rule must start with `op=<OP>` (or the line with `DEFAULT`); found {}",
                                 quote(text(t.range))),
                     Errno::BadMsg, std::move(notes));
        } else {
          parseError(DiagId::UnknownProperty, t.range,
                     fmt::format("{} is not a property: properties are `key=value`", quote(text(t.range))),
                     Errno::BadMsg, std::move(notes));
        }
        return;
      }
      case TokenKind::Action:
        break;
    }
    parseError(DiagId::MisplacedToken, t.range, fmt::format("unexpected {}", quote(text(t.range))));
  }

  // The kernel's checks after a line parsed: rule needs an op, DEFAULT has no properties and is
  // unique per scope.
  bool checkStatement(const Line& line, const Token* toks, const ast::Statement& s) {
    if (!s.isDefault()) {
      if (s.has_op) return true;
      lineEndError(DiagId::MissingOp, line, toks[0].range,
                   "the rule has no `op=`; only `DEFAULT` lines may omit it");
      return false;
    }
    if (s.prop_count != 0) {
      const ast::Property& first = out_.policy.properties[s.first_prop];
      lineEndError(DiagId::DefaultWithProperty, line, first.range,
                   "`DEFAULT` takes no properties");
      out_.policy.properties.resize(s.first_prop);
      return false;
    }
    const unsigned op = static_cast<unsigned>(s.op);
    bool& seen = s.has_op ? op_default_seen_[op] : global_default_seen_;
    Range& first = s.has_op ? op_default_range_[op] : global_default_range_;
    if (seen) {
      lineEndError(DiagId::DuplicateDefault, line, line.content,
                   s.has_op ? fmt::format("a second `DEFAULT op={}`", sl::opSpelling(s.op))
                            : std::string("a second global `DEFAULT`"),
                   {{first, "the first one is here"}});
      return false;
    }
    seen = true;
    first = line.content;
    return true;
  }

  // ---- whole policy -------------------------------------------------------------------------
  void validate() {
    const uint32_t end = out_.policy_end;
    if (!header_seen_) {
      error(DiagId::MissingHeader, {end, end},
            "the policy has no header; expected `policy_name=NAME policy_version=MAJOR.MINOR.REV` as "
            "the first non-comment line",
            Errno::BadMsg, {KernelPhase::Validate, 0});
      return;
    }
    if (global_default_seen_) return;
    llvm::SmallVector<std::string_view, sl::kNumOps> missing;
    for (sl::Op op : sl::kAllOps)
      if (options_.dialect.knows(sl::opSeries(op)) && !op_default_seen_[static_cast<unsigned>(op)])
        missing.push_back(sl::opSpelling(op));
    if (missing.empty()) return;
    // A DEFAULT line (or a header) that failed to parse already explains the problem; this would
    // be noise.
    if (default_line_broken_ || header_broken_) return;
    Range where = out_.policy.header ? out_.policy.header->range : Range{end, end};
    error(DiagId::MissingDefault, where,
          fmt::format("the policy has no global `DEFAULT action=...` and no `DEFAULT op=...` for {}; add "
                      "`DEFAULT action=DENY` (or ALLOW)",
                      fmt::join(missing, ", ")),
          Errno::BadMsg, {KernelPhase::Validate, 0});
  }

  const SourceFile& file_;
  std::string_view bytes_;
  const ParseOptions& options_;
  DiagnosticEngine& diags_;
  ParseResult out_;
  LineParser line_parser_;
  bool header_seen_ = false;
  bool header_broken_ = false;
  bool default_line_broken_ = false;
  // The digests validated on the current line: token offset -> interned id (decoded once).
  std::vector<std::pair<uint32_t, DigestId>> line_digests_;
  bool global_default_seen_ = false;
  bool op_default_seen_[sl::kNumOps] = {};
  Range global_default_range_;
  Range op_default_range_[sl::kNumOps];
};

}  // namespace

ParseResult parse(const SourceFile& file, const ParseOptions& options, DiagnosticEngine& diags) {
  return PolicyParser(file, options, diags).run();
}

}  // namespace ipec::frontend
