# SPDX-License-Identifier: Apache-2.0
# ANTLR 4.7.2 (Debian's tool) generating C++ for the 4.9 runtime (Debian's libantlr4-runtime-dev).
# Debian's antlr4-generator CMake module does not work (it needs the "complete" jar), so the
# wrapper /usr/bin/antlr4 is driven from our own custom command.
find_program(ANTLR4_TOOL NAMES antlr4 REQUIRED)
find_package(antlr4-runtime 4.9 REQUIRED CONFIG)

# clang++ with libstdc++ rejects 4.9's Vocabulary.h as shipped (const members without
# initialisers); a patched copy of the headers in the build tree fixes it without an ABI change.
set(IPEC_ANTLR_INC ${CMAKE_BINARY_DIR}/antlr4-include)
if(NOT EXISTS ${IPEC_ANTLR_INC}/antlr4-runtime/Vocabulary.h)
  file(COPY ${ANTLR4_INCLUDE_DIR}/ DESTINATION ${IPEC_ANTLR_INC}/antlr4-runtime)
  file(READ ${IPEC_ANTLR_INC}/antlr4-runtime/Vocabulary.h _voc)
  string(REGEX REPLACE "(std::vector<std::string> const _[a-zA-Z]+);" "\\1{};" _voc "${_voc}")
  file(WRITE ${IPEC_ANTLR_INC}/antlr4-runtime/Vocabulary.h "${_voc}")
endif()
add_library(ipec_antlr_runtime INTERFACE)
target_include_directories(ipec_antlr_runtime SYSTEM INTERFACE ${IPEC_ANTLR_INC}/antlr4-runtime)
# Static: a shared runtime costs ~1 ms of symbol resolution at every start (docs/benchmarks.md).
target_link_libraries(ipec_antlr_runtime INTERFACE antlr4_static)

# ipec_antlr_parser(<target> NAMESPACE <ns> GRAMMAR <parser.g4>)
# Generates a parser (no lexer: ipec feeds tokens from its kernel-exact scanner) into a static lib.
function(ipec_antlr_parser tgt)
  cmake_parse_arguments(A "" "NAMESPACE;GRAMMAR" "" ${ARGN})
  get_filename_component(_p ${A_GRAMMAR} NAME_WE)
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/antlr/${tgt})
  set(_srcs ${_out}/${_p}.cpp)
  set(_hdrs ${_out}/${_p}.h)
  add_custom_command(OUTPUT ${_srcs} ${_hdrs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_out}
    COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -no-visitor -no-listener -package ${A_NAMESPACE}
            -Werror -Xexact-output-dir -o ${_out} ${A_GRAMMAR}
    DEPENDS ${A_GRAMMAR}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "ANTLR4 ${_p} -> C++" VERBATIM)
  add_library(${tgt} STATIC ${_srcs})
  target_include_directories(${tgt} SYSTEM PUBLIC ${_out})
  target_link_libraries(${tgt} PUBLIC ipec_antlr_runtime)
  target_compile_options(${tgt} PRIVATE -w
    $<$<VERSION_GREATER_EQUAL:${CMAKE_CXX_STANDARD},20>:-fno-char8_t>)
endfunction()
