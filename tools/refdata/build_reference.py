#!/usr/bin/env python3
"""Re-derive every table of datasets/reference/ from pinned registry packages.

The reference tables (names with frequencies, places, streets, companies,
products, words) are embedded into the ingen_fab binary and into generated
notebooks.  They are not written by hand: this script takes them from
published packages, pinned by version and SHA-256, and writes the same bytes
every time it is run on the same inputs.

Usage (from the repository root):

    python3 tools/refdata/build_reference.py --download    # fetch, verify, build
    python3 tools/refdata/build_reference.py               # build from the cache
    python3 tools/refdata/build_reference.py --check       # rebuild into a temp
                                                           # dir, compare, exit 1
                                                           # on any difference

Options: --cache DIR (default /tmp/refdl) holds the downloaded archives;
--out DIR (default datasets/reference next to this tool's repository root).

Needs python3 (standard library only), and for --download pip and npm; node
(>= 18) evaluates the @faker-js/faker locale bundle, because that package ships
its word lists only as JavaScript.  The faker (Python) sources are read with
`ast`, never imported.  See datasets/reference/README.md for what each table
is and how it is derived.
"""

import argparse
import ast
import bz2
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

# Pinned sources: (file name in the cache, sha256, how to download it).
SOURCES = {
    "names": (
        "names-0.3.0.tar.gz",
        "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671",
        ["pip", "download", "--no-deps", "--no-binary", ":all:", "names==0.3.0"],
    ),
    "zipcodes": (
        "zipcodes-1.3.0.tar.gz",
        "6a8d663f8477b54806b0af01bd90bfa2ba88e8e79be824a44e37697c69d064ef",
        ["pip", "download", "--no-deps", "--no-binary", ":all:", "zipcodes==1.3.0"],
    ),
    "faker": (
        "faker-40.54.0-py3-none-any.whl",
        "2dd88ee8cb63a9149e19ef48bdd73879bc3854d8ba2d6c1535e902a762e603f7",
        ["pip", "download", "--no-deps", "--only-binary", ":all:", "faker==40.54.0"],
    ),
    "fakerjs": (
        "faker-js-faker-10.6.0.tgz",
        "13b79ed894af1a52a624fdb144384e1fd6c4afc1a30488830d3be64924333674",
        ["npm", "pack", "@faker-js/faker@10.6.0"],
    ),
}

# How much of each ranked census list is kept.
N_FIRST_FEMALE = 1000
N_FIRST_MALE = 1000
N_LAST = 5000

# Places: every PLACES_STEP-th zip code of the filtered, sorted list.
PLACES_STEP = 8

# The 50 states come with their names from @faker-js/faker (location.state,
# location.state_abbr); the District of Columbia is the one more USPS code
# with standard zip codes, and its name is fixed by law (D.C. Code 1-102).
EXTRA_STATE_NAMES = {"DC": "District of Columbia"}

# Surnames that Faker's English person providers spell with an apostrophe
# (O'Brien) are used to restore the apostrophe the census lists drop (OBRIEN).
FAKER_PERSON_LOCALES = ["en", "en_US", "en_GB", "en_IE", "en_NZ"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def download(cache):
    os.makedirs(cache, exist_ok=True)
    for key, (fname, _, cmd) in SOURCES.items():
        if os.path.exists(os.path.join(cache, fname)):
            continue
        if cmd[0] == "pip":
            cmd = [sys.executable, "-m"] + cmd + ["-d", cache]
            subprocess.run(cmd, check=True)
        else:
            subprocess.run(cmd, check=True, cwd=cache)


def verify(cache):
    for key, (fname, digest, _) in SOURCES.items():
        path = os.path.join(cache, fname)
        if not os.path.exists(path):
            sys.exit(f"build_reference: missing {path} (run with --download)")
        got = sha256(path)
        if got != digest:
            sys.exit(f"build_reference: {fname}: sha256 {got}, expected {digest}")


def unpack(cache, work):
    for key, (fname, _, _) in SOURCES.items():
        dest = os.path.join(work, key)
        os.makedirs(dest)
        path = os.path.join(cache, fname)
        if fname.endswith(".whl"):
            with zipfile.ZipFile(path) as z:
                z.extractall(dest)
        else:
            with tarfile.open(path) as t:
                t.extractall(dest, filter="data")


# --- names -----------------------------------------------------------------

def apostrophe_surnames(faker_root):
    """Maps OBRIEN -> O'Brien for every O' surname in Faker's English lists."""
    out = {}
    for loc in FAKER_PERSON_LOCALES:
        path = os.path.join(faker_root, "faker", "providers", "person", loc, "__init__.py")
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if (len(s) > 3 and s.startswith("O'") and s[2].isupper()
                        and s[3:].isalpha() and s[3:].islower()):
                    out[s.replace("'", "").upper()] = s
    return out


def proper_case(upper, apostrophes):
    """MARY -> Mary, MCDONALD -> McDonald, OBRIEN -> O'Brien (see README)."""
    if upper in apostrophes:
        return apostrophes[upper]
    if len(upper) > 2 and upper.startswith("MC"):
        return "Mc" + upper[2] + upper[3:].lower()
    return upper[0] + upper[1:].lower()


def census_list(path, n, apostrophes):
    """The first n rows of a 1990 census dist.* file: (name, percent)."""
    rows = []
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            name, freq, _cum, rank = parts
            if int(rank) != len(rows) + 1:
                raise SystemExit(f"build_reference: {path}: ranks out of order at {name}")
            if float(freq) <= 0:
                raise SystemExit(f"build_reference: {path}: zero frequency at {name}")
            rows.append((proper_case(name, apostrophes), freq))
            if len(rows) == n:
                break
    if len(rows) != n:
        raise SystemExit(f"build_reference: {path}: only {len(rows)} rows")
    return rows


# --- faker-js ----------------------------------------------------------------

FAKERJS_DUMP = r"""
import { pathToFileURL } from 'node:url';
const m = await import(pathToFileURL(process.argv[1]).href);
const en = m.en, us = m.en_US;
process.stdout.write(JSON.stringify({
  street_name: us.location.street_name,
  street_suffix: en.location.street_suffix,
  state: en.location.state,
  state_abbr: en.location.state_abbr,
  legal_entity_type: en.company.legal_entity_type,
  product_adjective: en.commerce.product_name.adjective,
  product_material: en.commerce.product_name.material,
  product: en.commerce.product_name.product,
  department: en.commerce.department,
}));
"""


def fakerjs_lists(root):
    index = os.path.join(root, "package", "dist", "index.js")
    res = subprocess.run(["node", "--input-type=module", "-e", FAKERJS_DUMP, "--", index],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def faker_word_list(faker_root):
    path = os.path.join(faker_root, "faker", "providers", "lorem", "en_US", "__init__.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "word_list"):
            return list(ast.literal_eval(node.value))
    raise SystemExit("build_reference: faker lorem en_US: no word_list")


# --- places ------------------------------------------------------------------

def places(zip_root, state_names):
    path = os.path.join(zip_root, "zipcodes-1.3.0", "zipcodes", "zips.json.bz2")
    with bz2.open(path, "rt", encoding="utf-8") as f:
        zips = json.load(f)
    keep = []
    for z in zips:
        if z["zip_code_type"] != "STANDARD" or not z["active"] or z["country"] != "US":
            continue
        if z["state"] not in state_names:
            continue  # territories, military (AA/AE/AP), freely associated states
        fields = [z["zip_code"], z["city"], z["state"], z["county"], z["lat"], z["long"]]
        if any(not str(v).strip() for v in fields):
            continue
        if float(z["lat"]) == 0.0 and float(z["long"]) == 0.0:
            continue  # coordinates missing in the source, written as 0, 0
        keep.append(z)
    keep.sort(key=lambda z: z["zip_code"])
    rows = []
    for i, z in enumerate(keep):
        if i % PLACES_STEP:
            continue
        rows.append((z["zip_code"], z["city"], z["state"], state_names[z["state"]],
                     z["county"], "US", z["lat"], z["long"]))
    return len(keep), rows


# --- output ------------------------------------------------------------------

def write_tsv(out_dir, name, header, rows):
    lines = ["\t".join(header)]
    seen_cols = len(header)
    for r in rows:
        r = [str(c) for c in r]
        if len(r) != seen_cols:
            raise SystemExit(f"build_reference: {name}: row {r} has {len(r)} cells")
        for c in r:
            if not c or c != c.strip() or any(ch in c for ch in "\t\r\n"):
                raise SystemExit(f"build_reference: {name}: bad cell {c!r}")
        lines.append("\t".join(r))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(os.path.join(out_dir, name + ".tsv"), "wb") as f:
        f.write(data)
    print(f"{name}.tsv: {len(rows)} rows, {len(data)} bytes")


NOTICE_HEAD = """\
Third-party notices for datasets/reference/

The tables in this directory are derived by tools/refdata/build_reference.py
from the packages below (see README.md for which table comes from where).
The MIT licence of each package whose data we use asks that its copyright
and permission notice be kept with substantial portions of it; they follow
verbatim, as shipped in the pinned package archives.

The census name lists (first_names*.tsv, last_names.tsv) are works of the
U.S. Government (1990 Census), in the public domain under 17 U.S.C. 105;
the names 0.3.0 package that carries them says so in its README.rst.
"""

NOTICES = [
    ("zipcodes 1.3.0 (PyPI, author Sean Pianka): places.tsv",
     ("zipcodes", "zipcodes-1.3.0/LICENSE.txt")),
    ("Faker 40.54.0 (PyPI): words.tsv, and the O' spellings of last_names.tsv",
     ("faker", "faker-40.54.0.dist-info/licenses/LICENSE.txt")),
    ("@faker-js/faker 10.6.0 (npm): street_names.tsv, street_suffixes.tsv, "
     "company_suffixes.tsv, product_*.tsv, state names in places.tsv",
     ("fakerjs", "package/LICENSE")),
]


def write_notice(work, out_dir):
    parts = [NOTICE_HEAD]
    for title, (key, rel) in NOTICES:
        with open(os.path.join(work, key, rel), encoding="utf-8") as f:
            text = f.read().replace("\r\n", "\n").rstrip("\n")
        parts.append("=" * 76 + "\n" + title + "\n" + "=" * 76 + "\n\n" + text + "\n")
    data = "\n".join(parts).encode("utf-8")
    with open(os.path.join(out_dir, "NOTICE"), "wb") as f:
        f.write(data)
    print(f"NOTICE: {len(data)} bytes")


def one_col(values):
    if len(set(values)) != len(values):
        raise SystemExit("build_reference: duplicate values in a list")
    return [(v,) for v in values]


def build(cache, out_dir):
    verify(cache)
    with tempfile.TemporaryDirectory() as work:
        unpack(cache, work)
        names_dir = os.path.join(work, "names", "names-0.3.0", "names")
        faker_root = os.path.join(work, "faker")
        js = fakerjs_lists(os.path.join(work, "fakerjs"))

        apos = apostrophe_surnames(faker_root)
        female = census_list(os.path.join(names_dir, "dist.female.first"), N_FIRST_FEMALE, apos)
        male = census_list(os.path.join(names_dir, "dist.male.first"), N_FIRST_MALE, apos)
        last = census_list(os.path.join(names_dir, "dist.all.last"), N_LAST, apos)
        write_tsv(out_dir, "first_names_female", ["name", "weight"], female)
        write_tsv(out_dir, "first_names_male", ["name", "weight"], male)
        write_tsv(out_dir, "last_names", ["name", "weight"], last)

        if len(js["state"]) != len(js["state_abbr"]):
            raise SystemExit("build_reference: faker-js state lists differ in length")
        state_names = dict(zip(js["state_abbr"], js["state"]))
        state_names.update(EXTRA_STATE_NAMES)
        n_candidates, place_rows = places(os.path.join(work, "zipcodes"), state_names)
        print(f"places: {n_candidates} candidate zip codes, every {PLACES_STEP}th kept")
        write_tsv(out_dir, "places", ["postal_code", "city", "state_code", "state_name",
                                      "county", "country", "latitude", "longitude"], place_rows)

        write_tsv(out_dir, "street_names", ["name"], one_col(js["street_name"]))
        write_tsv(out_dir, "street_suffixes", ["suffix"], one_col(js["street_suffix"]))
        write_tsv(out_dir, "company_suffixes", ["suffix"], one_col(js["legal_entity_type"]))
        write_tsv(out_dir, "product_adjectives", ["adjective"], one_col(js["product_adjective"]))
        write_tsv(out_dir, "product_materials", ["material"], one_col(js["product_material"]))
        write_tsv(out_dir, "product_nouns", ["noun"], one_col(js["product"]))
        write_tsv(out_dir, "product_categories", ["category"], one_col(js["department"]))
        write_tsv(out_dir, "words", ["word"], one_col(faker_word_list(faker_root)))
        write_notice(work, out_dir)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default="/tmp/refdl", help="where the archives are kept")
    ap.add_argument("--out", default=os.path.join(repo, "datasets", "reference"))
    ap.add_argument("--download", action="store_true", help="fetch missing archives first")
    ap.add_argument("--check", action="store_true",
                    help="rebuild into a temporary directory and compare with --out")
    args = ap.parse_args()
    if args.download:
        download(args.cache)
    if not args.check:
        os.makedirs(args.out, exist_ok=True)
        build(args.cache, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(args.cache, tmp)
        bad = 0
        for fname in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, fname), "rb") as a:
                want = a.read()
            have_path = os.path.join(args.out, fname)
            have = open(have_path, "rb").read() if os.path.exists(have_path) else None
            if have != want:
                print(f"differs: {have_path}")
                bad = 1
        for fname in sorted(os.listdir(args.out)):
            if fname.endswith(".tsv") and not os.path.exists(os.path.join(tmp, fname)):
                print(f"not produced by this script: {os.path.join(args.out, fname)}")
                bad = 1
        return bad


if __name__ == "__main__":
    sys.exit(main())
