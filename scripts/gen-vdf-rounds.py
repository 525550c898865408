# Regenerates the unrolled round code inside chain() in core-wasm/assembly/vdf.ts
# (schedule with the padding words folded, round 0 folded from the IV, K as
# immediates). Run from the repo root: python3 scripts/gen-vdf-rounds.py, then
# npm run build:wasm. Only the loop body between "for (let i: u64 = 0; i < steps; i++) {"
# and the final stores is replaced.
import re
M=0xffffffff
src=open('core-wasm/assembly/sha256.ts').read()
i0=src.index('export const K')
tbl=src[i0:src.index(']',i0)]
K=[int(x,16) for x in re.findall(r'0x[0-9a-fA-F]+',tbl)]
assert len(K)==64 and K[0]==0x428a2f98 and K[63]==0xc67178f2
def rotr(x,n): return ((x>>n)|(x<<(32-n)))&M
def ssig0(x): return rotr(x,7)^rotr(x,18)^(x>>3)
def ssig1(x): return rotr(x,17)^rotr(x,19)^(x>>10)
def bsig0(x): return rotr(x,2)^rotr(x,13)^rotr(x,22)
def bsig1(x): return rotr(x,6)^rotr(x,11)^rotr(x,25)
def ch(e,f,g): return ((e&f)^((~e)&g))&M
def maj(a,b,c): return (a&b)^(a&c)^(b&c)
pad={8:0x80000000,9:0,10:0,11:0,12:0,13:0,14:0,15:256}
out=[]
for t in range(16,64):
    terms=[]; c=0
    for (s,fn) in ((t-2,'ssig1'),(t-7,None),(t-15,'ssig0'),(t-16,None)):
        if s in pad:
            v=pad[s]; v=ssig1(v) if fn=='ssig1' else ssig0(v) if fn=='ssig0' else v; c=(c+v)&M
        else:
            nm=f'x{s}' if s<8 else f'w{s}'
            terms.append(f'{fn}({nm})' if fn else nm)
    expr=' + '.join(terms)
    if c: expr+=f' + 0x{c:08x}'
    out.append(f'    const w{t}: u32 = {expr}')
H=[0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19]
a,b,c,d,e,f,g,h=H
T1c=(h+bsig1(e)+ch(e,f,g)+K[0])&M
T2c=(bsig0(a)+maj(a,b,c))&M
out.append(f'    // round 0: the state is the IV, so all but W[0] = x0 is a constant')
out.append(f'    const t1: u32 = x0 + 0x{T1c:08x}')
out.append(f'    let h: u32 = t1 + 0x{T2c:08x}; let d: u32 = t1 + 0x{d:08x}')
out.append(f'    let a: u32 = 0x{a:08x}; let b: u32 = 0x{b:08x}; let c: u32 = 0x{c:08x}; let e: u32 = 0x{e:08x}; let f: u32 = 0x{f:08x}; let g: u32 = 0x{g:08x}')
out.append(f'    let mx: u32 = 0x{(a^b):08x}; let my: u32 = 0')
names='abcdefgh'
for i in range(1,64):
    A,B,C,D,E,F,G,Hn=[names[(j-i)%8] for j in range(8)]
    if i<8: kadd=f'0x{K[i]:08x} + x{i}'
    elif i<16: kadd=f'0x{(K[i]+pad[i])&M:08x}'
    else: kadd=f'0x{K[i]:08x} + w{i}'
    mj = f'mx = {A} ^ {B}; {Hn} += bsig0({A}) + ({B} ^ (mx & my))' if i%2==0 else f'my = {A} ^ {B}; {Hn} += bsig0({A}) + ({B} ^ (my & mx))'
    out.append(f'    {Hn} += {kadd}; {Hn} += ch({E}, {F}, {G}); {Hn} += bsig1({E}); {D} += {Hn}; {mj}')
out.append('    x0 = H0 + a; x1 = H1 + b; x2 = H2 + c; x3 = H3 + d; x4 = H4 + e; x5 = H5 + f; x6 = H6 + g; x7 = H7 + h')
body='\n'.join(out)
s=open('core-wasm/assembly/vdf.ts').read()
start=s.index('  for (let i: u64 = 0; i < steps; i++) {\n')+len('  for (let i: u64 = 0; i < steps; i++) {\n')
end=s.index('  }\n  store<u32>(ST, x0, 0)')
s=s[:start]+body+'\n'+s[end:]
open('core-wasm/assembly/vdf.ts','w').write(s)
