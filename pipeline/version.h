// SPDX-License-Identifier: Apache-2.0
// The ipec version, for --version and the SARIF tool record, and where its documentation is.
#pragma once

namespace ipec::pipeline {

// project(VERSION) in CMakeLists.txt, the one place the version is written (package.deb checks
// that packaging/changelog agrees).
#ifndef IPEC_VERSION
#error "IPEC_VERSION comes from pipeline/CMakeLists.txt"
#endif
inline constexpr const char* kIpecVersion = IPEC_VERSION;

// Where the documentation lives, as a URI ending in `/` (the CMake cache variable IPEC_DOCS_URI;
// by default the installed docs): SARIF's helpUri and informationUri point into it.
#ifndef IPEC_DOCS_URI
#error "IPEC_DOCS_URI comes from pipeline/CMakeLists.txt"
#endif
inline constexpr const char* kDocsUri = IPEC_DOCS_URI;

}  // namespace ipec::pipeline
