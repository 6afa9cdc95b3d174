import os, subprocess, sys, glob
sys.path.insert(0, '/tmp/gen')
import pyasm
D = '/work/main/tests/conformance/data'
ok = bad = 0
for p in sorted(glob.glob(D + '/*.data')):
    name = os.path.basename(p)[:-5]
    sec = None; asm = []; mem = []; res = None; err = None
    for line in open(p):
        l = line.rstrip('\n')
        if l.startswith('-- '): sec = l[3:]; continue
        if sec == 'asm': asm.append(l)
        elif sec == 'mem': mem += l.split()
        elif sec == 'result' and l.strip(): res = int(l, 16)
        elif sec == 'error' and l.strip(): err = l.strip()
    try:
        prog = pyasm.assemble('\n'.join(asm)).hex()
    except Exception as e:
        print('ASM', name, e); bad += 1; continue
    args = ['/tmp/gen/driver', prog] + ([''.join(mem)] if mem else [])
    out = subprocess.run(args, capture_output=True, text=True).stdout.strip()
    if err is not None:
        good = out.startswith('ERROR') and err in out
    else:
        good = out == hex(res)
    if good: ok += 1
    else:
        bad += 1; print('FAIL', name, 'expected', hex(res) if res is not None else 'error ' + err, 'got', out)
print(ok, 'passed', bad, 'failed')
