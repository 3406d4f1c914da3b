#!/usr/bin/env python3
"""One table line per run directory of measure.sh: stage times of results.jsonl and the largest
eigenvalue difference to the dense run of the same n (eigs/*.npy, float64, read without numpy)."""
import json, struct, sys, pathlib

def npy(path):
    data = path.read_bytes()
    header_len = struct.unpack('<H', data[8:10])[0]
    body = data[10 + header_len:]
    return struct.unpack('<%dd' % (len(body) // 8), body)

root = pathlib.Path(sys.argv[1])
print('| run | n | dim | ranks | grid | solver | sample_s | gram_s | eig_s | total_s | max abs diff to dense | verdict |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|')
for d in sorted(root.iterdir(), key=lambda p: (int(p.name.split('-')[1]), p.name)):
    f = d / 'results.jsonl'
    if not f.exists() or not f.read_text().strip():
        continue
    r = json.loads(f.read_text().splitlines()[0])
    n = r['params']['n']
    eigs = npy(d / r['empirical']['eigenvalues'])
    dense = root / f'dense-{n}'
    diff = '-'
    if d.name != dense.name and (dense / 'results.jsonl').exists():
        rd = json.loads((dense / 'results.jsonl').read_text().splitlines()[0])
        ref = npy(dense / rd['empirical']['eigenvalues'])
        diff = '%.2e' % max(abs(a - b) for a, b in zip(eigs, ref))
    dist = r['empirical'].get('distributed') or {}
    t = r['timing']
    grid = 'x'.join(map(str, dist['grid'])) if dist else '-'
    print(f"| {d.name} | {n} | {r['size']['eig_dim']} | {dist.get('ranks', 1)} | {grid} | {dist.get('solver', 'LAPACK dsyevd')} | "
          f"{t['sample_s']:.2f} | {t['gram_s']:.2f} | {t['eig_s']:.2f} | {t['total_s']:.2f} | {diff} | {r['verdict']} |")
