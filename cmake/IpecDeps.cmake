# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from Debian 12 packages (scripts/setup installs them).
find_package(LLVM 14 REQUIRED CONFIG)
separate_arguments(LLVM_DEFINITIONS_LIST NATIVE_COMMAND "${LLVM_DEFINITIONS}")
add_library(ipec_llvm INTERFACE)
target_include_directories(ipec_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_options(ipec_llvm INTERFACE ${LLVM_DEFINITIONS_LIST})
# Static LLVMSupport only: libLLVM-14.so costs ~60 ms of start-up per process.
target_link_libraries(ipec_llvm INTERFACE LLVMSupport)

find_package(fmt 9 REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(OpenSSL 3 REQUIRED)
find_package(GTest 1.12 REQUIRED CONFIG)
find_package(benchmark 1.7 CONFIG)
