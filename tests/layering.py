#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The layers include only the layers below them (docs/architecture.md). Link dependencies
already stop a call upwards; this catches an include of a header from above, which compiles
because the repository root is the include root.

    layering.py ROOT
"""
import os
import re
import sys

# layer -> the layers it may include (itself always)
ALLOWED = {
    "base": set(),
    "stdlib": set(),
    "frontend": {"base", "stdlib"},
    "analysis": {"base", "stdlib", "frontend"},
    "backend": {"base", "stdlib", "frontend", "analysis"},
    "enforce": {"base", "stdlib", "frontend", "analysis", "backend"},
    "pipeline": {"base", "stdlib", "frontend", "analysis"},
    "lsp": {"base", "stdlib", "frontend", "analysis", "pipeline"},
    "sign": {"base", "stdlib", "frontend"},
    "system": {"base", "stdlib", "frontend", "analysis"},
    "driver": {"base", "stdlib", "frontend", "analysis", "backend", "enforce", "pipeline", "lsp", "sign", "system"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')

root = sys.argv[1]
problems = []
for layer, allowed in ALLOWED.items():
    for dirpath, _, names in os.walk(os.path.join(root, layer)):
        for name in names:
            if not name.endswith((".h", ".cpp", ".c", ".def")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) in ALLOWED and m.group(1) != layer and m.group(1) not in allowed:
                        problems.append(f"{os.path.relpath(path, root)}:{n}: {layer}/ includes {m.group(1)}/")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"layering: {len(ALLOWED)} layers include only what is below them")
