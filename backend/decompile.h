// SPDX-License-Identifier: Apache-2.0
// `ipec dump`: a decision table back into policy text. Compiling the text for the same target
// gives the same bytes; the kernel decides every event as the source policy did.
#pragma once

#include <string>

#include "backend/ipet_cxx.h"

namespace ipec::backend {

std::string decompile(const ipet_table& t);

}  // namespace ipec::backend
