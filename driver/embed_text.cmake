# SPDX-License-Identifier: Apache-2.0
# Writes a text file into a C++ header as the bytes of an array, so that ipec carries a copy of
# its documentation (`ipec diagnostics ID` prints a section of docs/diagnostics.md).
#   cmake -DIN=docs/diagnostics.md -DOUT=diagnostics_doc.inc -DNAME=kDiagnosticsDoc -P embed_text.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by driver/embed_text.cmake.\ninline constexpr unsigned char ${NAME}[] = {${bytes}};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
