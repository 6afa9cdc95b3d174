import glob, subprocess, re, sys
sys.path.insert(0,'/tmp/gen'); import pyasm
lines=set()
for p in glob.glob('/work/main/tests/conformance/data/*.data'):
    sec=None
    for l in open(p):
        l=l.rstrip('\n')
        if l.startswith('-- '): sec=l[3:]; continue
        if sec=='asm' and l.strip(): lines.add(l.strip())
lines=sorted(lines)
agree=dis=skip=0
for l in lines:
    r=subprocess.run(['llvm-mc','-triple','bpfel','-mattr=+alu32','-show-encoding'],input=l+'\n',capture_output=True,text=True)
    m=re.search(r'encoding: \[(.*?)\]', r.stdout)
    if not m or r.returncode: skip+=1; continue
    mc=bytes(int(x,16) for x in m.group(1).split(','))
    py=pyasm.assemble_line(l)
    if mc==py: agree+=1
    else: dis+=1; print('DIFF', l, mc.hex(), py.hex())
print(len(lines),'lines', agree,'agree', dis,'differ', skip,'not parsed by llvm-mc')
