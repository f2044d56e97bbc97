#!/usr/bin/env python3
"""Where a wasm file's code bytes go, by crate: reads the code section and the function names
(the `name` section, present before wasm-opt strips it), demangles them with c++filt and sums
function body sizes per leading path segment.

    python3 benches/wasm-breakdown.py target/front/wasm32-unknown-unknown/wasm-release/truecaller_signin.wasm

Used for the P2 analysis in BENCHMARKS.md (run after `make release`).
"""
import sys, struct, re, subprocess, collections
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
data = open(sys.argv[1], 'rb').read()
i = 8; imports = 0; code = []; names = {}
while i < len(data):
    sid = data[i]; i += 1; size, i = leb(data, i); end = i + size
    if sid == 2:
        n, j = leb(data, i)
        for _ in range(n):
            l, j = leb(data, j); j += l; l, j = leb(data, j); j += l
            kind = data[j]; j += 1
            if kind == 0: _, j = leb(data, j); imports += 1
            elif kind == 1: j += 1; f, j = leb(data, j); _, j = leb(data, j); j = j if not (f & 1) else leb(data, j)[1]
            elif kind == 2: f, j = leb(data, j); _, j = leb(data, j); j = j if not (f & 1) else leb(data, j)[1]
            elif kind == 3: j += 2
    elif sid == 10:
        n, j = leb(data, i)
        for _ in range(n):
            l, j2 = leb(data, j); code.append(l + (j2 - j)); j = j2 + l
    elif sid == 0:
        l, j = leb(data, i); nm = data[j:j+l].decode(); j += l
        if nm == 'name':
            while j < end:
                sub = data[j]; j += 1; sl, j = leb(data, j); se = j + sl
                if sub == 1:
                    n, k = leb(data, j)
                    for _ in range(n):
                        idx, k = leb(data, k); l2, k = leb(data, k); names[idx] = data[k:k+l2].decode('utf8', 'replace'); k += l2
                j = se
    i = end
total = sum(code)
syms = [names.get(imports + k, '?') for k in range(len(code))]
dem = subprocess.run(['c++filt'], input='\n'.join(syms), capture_output=True, text=True).stdout.split('\n')
by = collections.Counter()
for d, sz in zip(dem, code):
    d = re.sub(r'^<', '', d)
    m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)', d)
    by[m.group(1) if m else '?'] += sz
print(f"code section {total/1024:.1f} KiB in {len(code)} functions")
for k, v in by.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 18):
    print(f"{v/1024:8.1f} KiB {100*v/total:5.1f}%  {k}")
