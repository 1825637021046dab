import time
from pathlib import Path
import pandas as pd
from zi_nb.rubric import load_rubric
from zi_nb.answers import build_answers, RAW_COLUMNS
from zi_nb.lke_export import write_circulated
from zi_nb.xlsx import open_workbook
from zi_nb import lke_workbook as lw
r = load_rubric()
recs=[]
for i,code in enumerate(sorted(r.all_codes)):
    at = r.answer_type_of(code)
    kind = "count" if at=="Jumlah" else r.answer_types[at].kind
    raw = {"option": list(r.answer_types[at].options)[0] if kind=="option" else None, "count": 5, "index": 3.6, "ratio": None}[kind]
    recs.append(dict(unit_id="kanim-blitar", tier="unit", reviewer=None, code=code, raw=raw, note=f"=cmd {code} ü" if i%7==0 else None,
                     evidence="SK Tim\nhttps://drive.example/x"+code if i%5==0 else None, file=None, sheet=None, cell=None, line=None))
    if kind=="option":
        recs.append(dict(unit_id="kanim-blitar", tier="tpi", reviewer="Itjen", code=code, raw="B" if "B" in r.answer_types[at].options else "Tidak", note="+cek", evidence=None, file=None, sheet=None, cell=None, line=None))
raw=pd.DataFrame(recs, columns=RAW_COLUMNS)
ans,f=build_answers(raw,r)
t=time.perf_counter()
write_circulated("/tmp/x/out.xlsx", r, {"unit_id":"kanim-blitar","unit_name":"Kantor Imigrasi Blitar","instansi":"Kemenkumham","year":2024}, ans)
print("write", time.perf_counter()-t)
t=time.perf_counter()
b=open_workbook("/tmp/x/out.xlsx"); print(lw.sniff_workbook(b)); ex=lw.read_workbook(b, Path("/tmp/x/out.xlsx"), r)
print("read", time.perf_counter()-t)
print(ex.units.to_dict("records")); print([x.render() for x in ex.findings][:5]); print(len(ex.raw), len(raw))
a2,_=build_answers(ex.raw,r)
k=["unit_id","tier","reviewer","code","answer","number","note","evidence"]
A=ans[k].sort_values(["tier","code"]).reset_index(drop=True); B=a2[k].sort_values(["tier","code"]).reset_index(drop=True)
print(A.equals(B)); 
if not A.equals(B):
    m=A.merge(B,on=["tier","code"],how="outer",suffixes=("","_2"))
    for c in k:
        if c in ("tier","code"): continue
        d=m[~((m[c]==m[c+"_2"])|(m[c].isna()&m[c+"_2"].isna()))]
        if len(d): print(c, d[["tier","code",c,c+"_2"]].head())
t=time.perf_counter()
for i in range(10):
    write_circulated(f"/tmp/x/out{i}.xlsx", r, {"unit_id":"kanim-blitar","unit_name":"Kantor Imigrasi Blitar","instansi":"Kemenkumham","year":2024}, ans)
print("write avg", (time.perf_counter()-t)/10)
t=time.perf_counter()
for i in range(10):
    b=open_workbook(f"/tmp/x/out{i}.xlsx"); ex=lw.read_workbook(b, Path("/tmp/x/out.xlsx"), r)
print("read avg", (time.perf_counter()-t)/10)
import cProfile, pstats
cProfile.run('write_circulated("/tmp/x/p.xlsx", r, {"unit_id":"k"}, ans)', '/tmp/prof')
pstats.Stats('/tmp/prof').sort_stats('cumtime').print_stats(15)
