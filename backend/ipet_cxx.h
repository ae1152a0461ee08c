// SPDX-License-Identifier: Apache-2.0
// backend/ipet.h for C++ callers: the kernel's copy of that header stays plain C.
#pragma once

extern "C" {
#include "backend/ipet.h"
}
