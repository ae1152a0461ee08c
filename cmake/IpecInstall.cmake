# SPDX-License-Identifier: Apache-2.0
# `cmake --install`: the binary, man pages and shell completions generated from the built
# binary's --help (packaging/gen_cli_docs.py), the documentation and the examples.
include(GNUInstallDirs)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# Debian's zsh looks in vendor-completions; upstream zsh in site-functions.
set(IPEC_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions CACHE STRING
    "Where the zsh completion is installed, relative to the prefix")

set(IPEC_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(IPEC_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
file(GLOB IPEC_GEN_SCRIPTS CONFIGURE_DEPENDS ${IPEC_PACKAGING_DIR}/*.py)
# The outputs depend on which subcommands --help lists, so a stamp stands for them.
add_custom_command(OUTPUT ${IPEC_GENERATED_DIR}/stamp
  COMMAND ${Python3_EXECUTABLE} ${IPEC_PACKAGING_DIR}/gen_cli_docs.py --ipec $<TARGET_FILE:ipec>
          --out ${IPEC_GENERATED_DIR} --docdir ${CMAKE_INSTALL_FULL_DOCDIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${IPEC_GENERATED_DIR}/stamp
  DEPENDS ipec ${IPEC_GEN_SCRIPTS} ${IPEC_PACKAGING_DIR}/manpages.toml ${IPEC_PACKAGING_DIR}/changelog
  COMMENT "Man pages and shell completions from ipec --help" VERBATIM)
add_custom_target(ipec_cli_docs ALL DEPENDS ${IPEC_GENERATED_DIR}/stamp)

install(TARGETS ipec RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# A stripped install (cpack, --strip) also drops what dh_strip drops: the compiler ident.
install(CODE "if(CMAKE_INSTALL_DO_STRIP)
  execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment --remove-section=.note
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/ipec\" COMMAND_ERROR_IS_FATAL ANY)
endif()")
# Gzipped at install time, when the prefix (and so the documentation path they name) is known.
install(CODE "execute_process(COMMAND \"${Python3_EXECUTABLE}\" \"${IPEC_PACKAGING_DIR}/install_man.py\"
  \"${IPEC_GENERATED_DIR}/man1\" \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\"
  \"${CMAKE_INSTALL_FULL_DOCDIR}\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\"
  COMMAND_ERROR_IS_FATAL ANY)")
install(FILES ${IPEC_GENERATED_DIR}/completions/ipec
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${IPEC_GENERATED_DIR}/completions/_ipec DESTINATION ${IPEC_ZSH_COMPLETION_DIR})
install(FILES ${IPEC_GENERATED_DIR}/completions/ipec.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# docs/ keeps its place beside README.md so that the README's links still work.
install(FILES README.md ${IPEC_PACKAGING_DIR}/copyright ${IPEC_GENERATED_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
