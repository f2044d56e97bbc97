#!/usr/bin/env python3
"""The shape of the source: import circles between source files, imports from a lower layer into
a higher one, and files over the size limit.

Each `src/**/*.rs` outside the test suites is a module; a file imports another when it names a
path into it (`use crate::a::b`, `super::x`, `crate::a::b::f()`). A circle is a strongly
connected group of two or more files. Prints what it finds and exits 1 if there is anything
(`--report` always exits 0).
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
# The layers, bottom first: a file may import its own layer and those below it, never one above.
# Shared code (both sides) and the server each have a stack; a module not listed is unchecked.
LAYERS = {
    (): ["countries", "domain user site", "error", "words", "wording", "page_data", "api", "pages", "components", "app"],
    ("server",): [
        "clock secret metrics phone keys countries phase session waiters",
        "store providers",
        "throttle",
        "error",
        "sign_in",
        "config state",
        "web simulator",
        "setup",
        "startup",
    ],
}
MAX_LINES = 400
# Test suites may be long and import anything.
SKIP = ("tests/",)


def module_files():
    files = {}
    for folder, _, names in os.walk(ROOT):
        for name in names:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/")
            if rel.startswith(SKIP) or rel in ("main.rs",):
                continue
            parts = rel[:-3].split("/")
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            files[tuple(parts)] = rel
    return files


def without_tests(text):
    """The file without its `#[cfg(test)] mod tests { … }` block and comments."""
    text = re.sub(r"//[^\n]*", "", text)
    match = re.search(r"#\[cfg\((?:all\()?test\b[^\]]*\]\s*mod\s+\w+\s*\{", text)
    if match:
        depth, i = 0, match.end() - 1
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        text = text[: match.start()] + text[i + 1 :]
    return text


def expand_uses(text):
    """Every path a `use` names, with its braces expanded (`a::{b, c::d}` → `a::b`, `a::c::d`)."""
    paths = []
    for body in re.findall(r"\buse\s+([^;]+);", text):
        paths.extend(expand(re.sub(r"\s+", "", body)))
    return paths


def expand(path):
    start = path.find("{")
    if start < 0:
        return [path.split(" as ")[0]]
    prefix, inner = path[:start], path[start + 1 : path.rindex("}")]
    items, depth, current = [], 0, ""
    for char in inner:
        if char == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        current += char
    items.append(current)
    return [p for item in items if item for p in expand(prefix + item)]


def resolve(path, module, files):
    parts = path.split("::")
    if parts[0] == "crate":
        target = parts[1:]
    elif parts[0] == "super":
        base = list(module)
        while parts and parts[0] == "super":
            base = base[:-1]
            parts = parts[1:]
        target = base + parts
    elif parts[0] == "self":
        target = list(module) + parts[1:]
    else:
        return None
    # The longest prefix that is a file.
    for length in range(len(target), 0, -1):
        key = tuple(target[:length])
        if key in files:
            return key
    return None


def graph(files):
    edges = {}
    for module, rel in files.items():
        text = without_tests(open(os.path.join(ROOT, rel), encoding="utf-8").read())
        paths = expand_uses(text) + re.findall(r"\b((?:crate|super)(?:::\w+)+)", text)
        targets = {resolve(p, module, files) for p in paths}
        edges[module] = {t for t in targets if t and t != module and not module[: len(t)] == t}
    return edges


def layer_of(module):
    """(stack, rank) of a module, or None."""
    for stack, layers in LAYERS.items():
        rest = module[len(stack) :]
        if module[: len(stack)] != stack or not rest:
            continue
        if stack == () and rest[0] == "server":
            continue
        for rank, names in enumerate(layers):
            if rest[0] in names.split():
                return stack, rank
    return None


def upward(edges):
    """Imports from a module into a higher layer of its own stack."""
    found = []
    for module, targets in edges.items():
        here = layer_of(module)
        for target in targets:
            there = layer_of(target)
            if here and there and here[0] == there[0] and here[1] < there[1]:
                found.append((module, target))
    return sorted(found)


def circles(edges):
    """Tarjan's strongly connected components of two or more files."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in edges:
        if node not in index:
            visit(node)
    return found


def main():
    files = module_files()
    problems = 0
    for group in circles(graph(files)):
        problems += 1
        print("import circle: " + " ↔ ".join(files[m] for m in group))
    circle_count = problems
    for module, target in upward(graph(files)):
        problems += 1
        print(f"a lower layer imports a higher one: {files[module]} → {files[target]}")
    for module, rel in sorted(files.items(), key=lambda kv: kv[1]):
        lines = sum(1 for line in open(os.path.join(ROOT, rel), encoding="utf-8") if line.strip())
        text = open(os.path.join(ROOT, rel), encoding="utf-8").read()
        code = sum(1 for line in without_tests(text).splitlines() if line.strip())
        if code > MAX_LINES:
            problems += 1
            print(f"over {MAX_LINES} non-blank lines outside tests: {rel} ({code}; {lines} with tests and comments)")
    print(f"{problems} problem(s) in {len(files)} source files ({circle_count} import circles)")
    if "--report" in sys.argv:
        return 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
