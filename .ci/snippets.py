#!/usr/bin/env python3
"""The README's "Add it to your app" snippets are the example shop's code: every line of each
snippet (but `…` elisions and comments) must appear in `examples/shop` (its Rust sources for
```rust blocks, its Cargo.toml for ```toml ones, with the dependency's path and the feature lists'
tails elided). The shop is built and walked by `make shop`, so the snippets compile and work.
Prints each line it cannot find and exits 1 if there is any.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHOP = os.path.join(ROOT, "examples", "shop")


def section(readme):
    start = readme.index("## Add it to your app")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def normal(line):
    return re.sub(r"\s+", " ", line.strip())


def sources(ext):
    text = []
    for folder, _, names in os.walk(SHOP):
        if "target" in folder.split(os.sep):
            continue
        text += [open(os.path.join(folder, n)).read() for n in names if n.endswith(ext)]
    return "\n".join(text)


def main():
    readme = open(os.path.join(ROOT, "README.md")).read()
    blocks = re.findall(r"```(rust|toml)\n(.*?)```", section(readme), re.S)
    if not blocks:
        print('README.md: no snippets under "Add it to your app"')
        return 1
    shop = {"rust": {normal(l) for l in sources(".rs").splitlines()}, "toml": {normal(l) for l in sources(".toml").splitlines()}}
    missing = []
    for kind, block in blocks:
        for line in block.splitlines():
            line = normal(line)
            if not line or line.startswith("//") or line.startswith("#") or line == "…" or line.startswith("…"):
                continue
            if kind == "toml":
                # The path differs (the shop is inside the repository) and feature lists are cut.
                line = re.sub(r'path = "[^"]*"', 'path = "../.."', line)
                if "…" in line:
                    prefix = line.split("…")[0].rstrip(", ")
                    if not any(l.startswith(prefix) or prefix in l for l in shop["toml"]):
                        missing.append(line)
                    continue
            if "…" in line:
                line = line.split("…")[0].strip()
            if not any(line in l for l in shop[kind]):
                missing.append(line)
    for line in missing:
        print(f"README.md snippet not in examples/shop: {line}")
    print(f"{len(missing)} snippet line(s) missing from examples/shop")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
