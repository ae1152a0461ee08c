# SPDX-License-Identifier: Apache-2.0
# `cpack -G DEB` (run in the build directory): a Debian package of what `cmake --install`
# installs. The version and the maintainer come from packaging/changelog, its one home.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/changelog _ipec_changelog)
list(GET _ipec_changelog 0 _ipec_top)
string(REGEX REPLACE "^[^ ]+ \\(([^)]+)\\).*" "\\1" IPEC_CHANGELOG_VERSION "${_ipec_top}")
list(FILTER _ipec_changelog INCLUDE REGEX "^ -- ")
list(GET _ipec_changelog 0 _ipec_trailer)
string(REGEX REPLACE "^ -- (.+>)  .*" "\\1" IPEC_MAINTAINER "${_ipec_trailer}")
if(NOT IPEC_CHANGELOG_VERSION STREQUAL PROJECT_VERSION)
  message(WARNING "packaging/changelog is at ${IPEC_CHANGELOG_VERSION}, the project at "
                  "${PROJECT_VERSION}: add a changelog entry (the package.deb test fails until then)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ipec)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${IPEC_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "compiler and static analyzer for Linux IPE policies")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME ipec)   # the staging folder; DEB-DEFAULT names the .deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${IPEC_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# The control file's long description (the summary line comes first on its own).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ipec checks Integrity Policy Enforcement (IPE) policies exactly as the Linux
kernel parses them, reports every problem with its position, and predicts
the kernel's answer when the signed policy is loaded. For a kernel target it
proves which rules are dead, shadowed or redundant, and flags ops whose hook
never fires, lockouts and known bypasses. It also evaluates events, compiles
policies into constant-time decision tables or BPF maps, predicts the policy
store's answers to loads and activations, and formats policies.")
include(CPack)
