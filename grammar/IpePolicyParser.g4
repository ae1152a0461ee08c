// SPDX-License-Identifier: Apache-2.0
// The IPE policy grammar, one kernel line at a time.
//
// ipec's scanner (frontend/scanner.cpp) does what the kernel does before its parser looks at a
// line: NUL ends the policy, "\n" and "\r" end lines, `#` cuts, trailing isspace() goes, and
// tokens are split on space and TAB. It then classifies each token by its `key=` prefix into the
// vocabulary below; the spellings themselves live in stdlib/. This grammar is the structure the
// kernel's parse_header() and parse_rule() accept:
//   - the first non-empty line is the header: exactly `policy_name=` then `policy_version=`;
//   - every later line: an optional `DEFAULT`, then `op=` and its properties, and the
//     `action=` last. Whether the op may be missing (only on DEFAULT lines) and whether a DEFAULT
//     may have properties (never) are checked after the line, as the kernel does.
// No actions, no semantic predicates.
parser grammar IpePolicyParser;

tokens { DEFAULT_KW, OP, ACTION, PROPERTY, POLICY_NAME, POLICY_VERSION, WORD }

headerLine
    : POLICY_NAME POLICY_VERSION EOF
    ;

statementLine
    : statement EOF
    ;

statement
    : DEFAULT_KW opClause? ACTION   # defaultStatement
    | opClause? ACTION              # ruleStatement
    ;

opClause
    : OP PROPERTY*
    ;
