"""The hand review behind ``tests/data/gold/geo_wikinews.jsonl`` (Wikinews toponym gold; docs/geo-eval.md).

    python scripts/propose_geo_gold.py /tmp/proposed.jsonl --n 65      # at the commit that added the gold
    python scripts/geo_gold_review.py /tmp/proposed.jsonl 65 tests/data/gold/geo_wikinews.jsonl

``R`` records, per proposed article (index), every correction made after reading the text: proposals that are
not toponyms by the guideline (``drop``), wrong referents (``fix``: the right gazetteer entry, by name,
ISO3 and resolution, ``@admin1`` code or ``#geonameid`` when needed), missed toponyms (``add``: the n-th
occurrence of a string), and places the gazetteer lacks (``manual``: coordinates, no GeoNames id).
Proposals not named here were checked and kept. The review applies to the proposals of the geoparser at
that commit; later geoparser changes change the proposals, not the committed gold.
"""
# ruff: noqa: E501, E402, I001, E741, SIM115, E702, B905  (a one-off review record, kept as written)

# manual: (text, occurrence, lat, lon) for a place the gazetteer lacks (no geonameid)
R = {
0: dict(drop=[0, 1, 2, 5], add=[("U.S.", 1, "United States", "USA", "country")]),
1: dict(drop=[1, 2], add=[("Poland", 0, "Poland", "POL", "country"), ("Koszalin", 1, "Koszalin", "POL", "city")],
        fix={0: ("Koszalin", "POL", "city")}),
2: dict(add=[("United States of America", 0, "United States", "USA", "country"),
             ("U.S.", 2, "United States", "USA", "country")]),
3: dict(drop=[5]),
4: dict(add=[("Baracoa", 1, "Baracoa", "CUB", "city")]),
5: dict(drop=[2, 3, 4, 7, 8, 9, 10], fix={0: ("Karaj", "IRN", "city")}),
6: dict(drop=[3, 5, 6, 7, 8, 10, 13, 17, 18, 19, 20], fix={9: ("Washington", "USA", "city")},
        add=[("U.S.", 4, "United States", "USA", "country")]),
7: dict(drop=[1, 2, 8, 9, 10, 17, 19, 40], add=[("Germany", 2, "Germany", "DEU", "country")]),
8: dict(fix={0: ("Maydanshakhr", "AFG", "city")}, add=[("Maidan Wardak", 1, "Wardak", "AFG", "admin1")]),
9: dict(drop=[4], add=[("Abu Dhabi", 0, "Abu Dhabi", "ARE", "city")]),
10: dict(drop=[2, 3], manual=[("Gay Village", 0, 43.665, -79.381)]),
11: dict(add=[("Kansas", 0, "Kansas", "USA", "admin1"), ("Guelph", 0, "Guelph", "CAN", "city"),
              ("Mexico", 2, "Mexico", "MEX", "country")]),
12: dict(drop=[2, 4], manual=[("Salaheddin", 0, 36.186, 37.128), ("Salaheddin", 1, 36.186, 37.128)]),
13: dict(drop=[2], manual=[("Babyninsky", 0, 54.39, 35.74)], add=[("Yartsevo", 0, "Yartsevo", "RUS", "city")]),
14: dict(drop=[2], add=[("Nevada", 1, "Nevada", "USA", "admin1")]),
15: dict(drop=[1, 2, 3, 4], add=[("General Santos City", 0, "General Santos", "PHL", "city"),
                                  ("Marbel", 0, "Koronadal", "PHL", "city"), ("Marbel", 1, "Koronadal", "PHL", "city"),
                                  ("Philippines", 1, "Philippines", "PHL", "country"),
                                  ("Gen. Santos", 0, "General Santos", "PHL", "city")]),
16: dict(drop=[12], fix={11: ("Paris", "FRA", "city")},
         add=[("US", 0, "United States", "USA", "country"), ("US", 1, "United States", "USA", "country")]),
17: dict(drop=[1, 8, 9], manual=[("Majorca", 0, 39.62, 2.98)]),
19: dict(drop=[2], add=[("U.S.", i, "United States", "USA", "country") for i in range(4)]),
}
R.update({
20: dict(add=[("United States", 1, "United States", "USA", "country")]),
21: dict(drop=[3], fix={0: ("Christchurch", "NZL", "city")}),
23: dict(drop=[3, 6, 7, 8], fix={1: ("Jerusalem", "ISR", "city")},
         add=[("Cahors", i, "Cahors", "FRA", "city") for i in (0, 1, 2, 4)] + [("France", 1, "France", "FRA", "country")],
         manual=[("Lot", 0, 44.45, 1.44)]),
24: dict(add=[("US", 1, "United States", "USA", "country")]),
25: dict(add=[("Taiwan", 2, "Taiwan", "TWN", "country"), ("Beijing", 0, "Beijing", "CHN", "city")]),
26: dict(drop=[4], fix={5: ("Montgomery County", "USA", "admin2@US.MD")},
         add=[("US", 0, "United States", "USA", "country")]),
27: dict(drop=[5]),
28: dict(drop=[0, 1, 5, 8], fix={6: ("Coos County", "USA", "admin2@US.NH")},
         manual=[("Randolph", 0, 44.375, -71.28), ("Columbia", 0, 44.853, -71.55)]),
29: dict(drop=[2], manual=[("Randolph", 0, 44.375, -71.28)]),
})
R.update({
30: dict(drop=[1, 5, 6, 8], add=[("US", 0, "United States", "USA", "country")]),
31: dict(add=[("Iraq", 0, "Iraq", "IRQ", "country")]),
32: dict(add=[("Africa", 4, "Africa", None, "continent")]),
33: dict(fix={5: ("Louisiana", "USA", "admin1")},
         add=[("Jefferson Parish", 0, "Jefferson Parish", "USA", "admin2@US.LA"),
              ("Jefferson Parish", 1, "Jefferson Parish", "USA", "admin2@US.LA")]),
34: dict(fix={12: ("Madrid", "PHL", "city"), 6: ("Carmen", "PHL", "city#1718333")}, add=[("Carrascal", 1, "Carrascal", "PHL", "city")]),
36: dict(drop=[4]),
38: dict(drop=[6], add=[("United Kingdom", 1, "United Kingdom", "GBR", "country")]),
39: dict(drop=[3]),
})
ABACO = (26.4, -77.1)
R.update({
40: dict(drop=[3, 4, 5, 6]),
42: dict(drop=[3, 5, 6], manual=[("St Margaret's at Cliffe", 0, 51.153, 1.372)],
         add=[("English Channel", 0, "English Channel", None, "feature")]
         + [("Channel", i, "English Channel", None, "feature") for i in range(1, 7)]),
44: dict(drop=[0, 1, 3, 5], manual=[("Central", 0, 22.281, 114.158), ("Causeway Bay", 0, 22.280, 114.185),
                                    ("Tin Hau", 0, 22.282, 114.192)]),
46: dict(drop=[1, 4, 6, 7], fix={8: ("London", "GBR", "city"), 9: ("London", "GBR", "city")}),
47: dict(drop=[2, 7], manual=[("Elbow Cay", 0, 26.55, -76.96), ("Andros Island", 0, 24.7, -78.0)]),
48: dict(drop=[0, 2, 6, 7, 9, 10, 11, 14, 15], add=[("Israel", 0, "Israel", "ISR", "country")]),
49: dict(drop=[1, 2, 3, 4, 6], manual=[("Abaco Islands", 0, *ABACO), ("Grand Bahama", 0, 26.65, -78.4),
                                       ("Abaco", 1, *ABACO), ("Abaco", 2, *ABACO), ("Abaco", 3, *ABACO),
                                       ("Sandy Point", 0, 26.02, -77.40)]),
})
R[7]["drop"].append(28)  # "the European Union sanctioned Iran": the organisation acting, not a place
R.update({
52: dict(drop=[5]),
53: dict(drop=[3, 9, 11, 13], manual=[("Nukuʻalofa", 0, -21.1394, -175.2018), ("Nukuʻalofa", 1, -21.1394, -175.2018),
                                      ("South Pacific", 0, -15.0, -170.0)]),
55: dict(drop=[5], add=[("United Kingdom", 0, "United Kingdom", "GBR", "country")]),
56: dict(drop=[2], add=[("Abqaiq", 0, "Abqaiq", "SAU", "city"), ("Abqaiq", 1, "Abqaiq", "SAU", "city")],
         manual=[("Khurais", 0, 25.07, 48.17)]),
57: dict(drop=[2], manual=[("Great Abaco Island", 0, 26.45, -77.1)]),
})
R[51] = dict(drop=[4])
R.update({
58: dict(add=[("US", 4, "United States", "USA", "country")]),
59: dict(drop=[0, 1, 5, 6, 7], fix={8: ("New York City", "USA", "city")}, manual=[("Thames Valley", 0, 51.6, -1.0)]),
60: dict(drop=[5], add=[("Bermuda", 4, "Bermuda", "BMU", "country")]),
61: dict(drop=[0, 2, 9, 10, 12]),
62: dict(drop=[4], fix={0: ("New York City", "USA", "city")}),
63: dict(drop=[4], add=[("Iraq", 0, "Iraq", "IRQ", "country")]),
64: dict(drop=[8, 9], manual=[("San Francisco Bay Area", 0, 37.8, -122.3)]),
})


import json
import re
import sys
from wirewatch.geo import Geoparser
g = Geoparser().gazetteer
L = [json.loads(l) for l in open(sys.argv[1])]
def find(text, s, occ):
    pos = [m.start() for m in re.finditer(r"(?<![\w])" + re.escape(s) + r"(?![\w])", text)]
    if s.endswith("."):
        pos = [m.start() for m in re.finditer(r"(?<![\w])" + re.escape(s), text)]
    return pos[occ]
def look(q, iso, res):
    adm = gid = None
    if res and "#" in res:
        res, gid = res.split("#")
    if res and "@" in res:
        res, adm = res.split("@")
    for e in g.entries(q):
        p = e.place
        if (iso is None or p.country == iso) and (res is None or p.resolution == res) and (adm is None or e.admin1_code == adm) and (gid is None or p.geonameid == int(gid)):
            return p
    raise SystemExit(f"no entry {q} {iso} {res} {adm}")
out = []
n_articles = int(sys.argv[2])
for i, x in enumerate(L[:n_articles]):
    r = R.get(i, {})
    text = x["text"]; tops = []
    for k, t in enumerate(x["toponyms"]):
        if k in r.get("drop", []):
            continue
        if k in r.get("fix", {}):
            p = look(*r["fix"][k])
            t = dict(t, geonameid=p.geonameid, name=p.name, country=p.country, resolution=p.resolution, lat=p.lat, lon=p.lon)
        tops.append({k2: t[k2] for k2 in ("start", "end", "text", "geonameid", "name", "country", "resolution", "lat", "lon")})
    for (s, occ, q, iso, res) in r.get("add", []):
        st = find(text, s, occ); p = look(q, iso, res)
        tops.append(dict(start=st, end=st + len(s), text=s, geonameid=p.geonameid, name=p.name, country=p.country, resolution=p.resolution, lat=p.lat, lon=p.lon))
    for (s, occ, lat, lon) in r.get("manual", []):
        st = find(text, s, occ)
        tops.append(dict(start=st, end=st + len(s), text=s, geonameid=None, name=None, country=None, resolution=None, lat=lat, lon=lon))
    tops.sort(key=lambda t: (t["start"], t["end"]))
    for a, b in zip(tops, tops[1:]):
        assert a["end"] <= b["start"], (i, a, b)
    for t in tops:
        assert text[t["start"]:t["end"]] == t["text"], (i, t)
    split = "test" if i % 3 == 2 else "dev"
    out.append({"text": text, "corpus": f"wikinews_{split}", "split": split, "source": x["url"], "published": x["published"],
                "license": "CC BY 2.5 (Wikinews); toponyms annotated by wirewatch", "toponyms": tops})
with open(sys.argv[3], "w") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
print(len(out), sum(len(o["toponyms"]) for o in out), {s: sum(len(o["toponyms"]) for o in out if o["split"] == s) for s in ("dev", "test")})
