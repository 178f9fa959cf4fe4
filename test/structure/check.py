#!/usr/bin/env python3
"""The structure check of the C sources: a house without circles.

Rooms: a .c/.cpp file together with its .h of the same base name in the same
folder (a header without a .c is a room of its own).  Arrows between rooms:
  - #include "x.h" of one of the project's headers (types, macros and static
    inline functions show only this way), read from the sources;
  - calls and uses of functions and global variables, read from the built
    objects with nm: an undefined symbol of one object matched to the symbol
    another object of the same program defines (no guessing).
The C folders are the top-level folders holding C sources (src/ for the
extension, receiver/ for the receiver, and any new one), not test/ or
bench/.  All of them form one graph, so an include across programs would
show; symbols are matched within a program (a top-level folder, its own link
unit).

It fails (exit 1) when a strongly connected group of more than one room
exists (a room that includes or calls into a room that, directly or through
others, includes or calls back), naming every arrow inside it with the names
that tie it, and when a .c file is over 1,000 lines.  It prints the floors
(floor 1: rooms that use no other room), one line per room.  Exit 2: it could
not read the tree (an object missing or older than its source: build first).

Run from the repository root after the build:  python3 test/structure/check.py
Its own test on a synthetic tree:               python3 test/structure/check.py --self-test
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_LINES = 1000                      # for .c files; phone.cpp (C++) is not one
SKIP_TOP = {"test", "bench"}          # C code that is not part of the programs
SOURCE_EXT = (".c", ".cpp")
NM_UNDEFINED = {"U", "w", "v"}

INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TreeError(Exception):
    """The tree cannot be analysed (e.g. not built)."""


class Room:
    def __init__(self, program, key):
        self.program = program        # top-level folder, e.g. "src"
        self.key = key                # path without extension, e.g. "src/rules"
        self.source = None            # "src/rules.c"
        self.header = None            # "src/rules.h"

    @property
    def name(self):
        return self.source or self.header

    @property
    def short(self):
        return os.path.basename(self.name)

    def files(self):
        return [f for f in (self.source, self.header) if f]


class Arrow:
    def __init__(self):
        self.symbols = set()          # from nm
        self.includes = {}            # header path -> names of it used (heuristic label)

    def label(self):
        parts = []
        if self.symbols:
            parts.append(", ".join(sorted(self.symbols)))
        for header, names in sorted(self.includes.items()):
            inc = '#include "%s"' % os.path.basename(header)
            if names:
                inc += " (%s)" % ", ".join(sorted(names))
            else:
                inc += " (none of its names used)"
            parts.append(inc)
        return "; ".join(parts)


def strip_comments_and_strings(text):
    """C text without comments, string and character literals (kept: #include lines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            # keep the quoted name of an #include line
            line_start = text.rfind("\n", 0, i) + 1
            if c == '"' and re.match(r"[ \t]*#[ \t]*include[ \t]*$", text[line_start:i]):
                j = text.find('"', i + 1)
                j = n if j < 0 else j + 1
                out.append(text[i:j])
                i = j
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def header_names(text):
    """The names a header gives its includers besides extern functions and
    variables (those are matched with nm): macros, typedefs, struct/union/enum
    tags, enum constants and static inline functions.  Used only to label an
    include arrow; the arrow itself is the #include."""
    names = set()
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", text, re.M):
        if not re.search(r"_H_?$", m.group(1)):          # include guards
            names.add(m.group(1))
    for m in re.finditer(r"\b(?:struct|union|enum)[ \t\n]+([A-Za-z_]\w*)[ \t\n]*\{", text):
        names.add(m.group(1))
    for m in re.finditer(r"\benum\b[^{;]*\{([^}]*)\}", text):
        for item in m.group(1).split(","):
            im = re.match(r"\s*([A-Za-z_]\w*)", item)
            if im:
                names.add(im.group(1))
    for m in re.finditer(r"\}[ \t\n]*([A-Za-z_]\w*)[ \t\n]*;", text):
        names.add(m.group(1))
    for m in re.finditer(r"\btypedef\b[^;{]*?\b([A-Za-z_]\w*)[ \t\n]*(?:\[[^\]]*\][ \t\n]*)?;", text):
        names.add(m.group(1))
    for m in re.finditer(r"\btypedef\b[^;{]*\(\s*\*\s*([A-Za-z_]\w*)\s*\)", text):
        names.add(m.group(1))
    for m in re.finditer(r"\bstatic\s+inline\b[^;{(]*?\b([A-Za-z_]\w*)\s*\(", text):
        names.add(m.group(1))
    names.update(declared_names(text))
    return names


def declared_names(text):
    """Functions and variables a header declares at file scope (for labels)."""
    text = re.sub(r"^[ \t]*#.*(?:\\\n.*)*", "", text, flags=re.M)
    stmts, buf, depth, opened_after = [], [], 0, ""
    for ch in text:
        if ch == "{":
            if depth == 0:
                opened_after = "".join(buf)
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and opened_after.rstrip().endswith(")"):    # a function body
                stmts.append(opened_after)
                buf = []
        elif depth == 0:
            if ch == ";":
                stmts.append("".join(buf))
                buf = []
            else:
                buf.append(ch)
    names = set()
    for st in stmts:
        st = st.strip()
        if not st or st.startswith("typedef"):
            continue
        m = (re.match(r"[^(]*\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(", st)     # a function pointer
             or re.search(r"\b(?!__attribute__|pg_attribute_)([A-Za-z_]\w*)\s*\(", st))
        if m:
            names.add(m.group(1))
        elif st.startswith("extern"):
            m = re.search(r"\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$", st)
            if m:
                names.add(m.group(1))
    return names


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        return f.read()


def find_programs(root):
    """Top-level folders holding C sources, other than test/ and bench/."""
    programs = {}
    for top in sorted(os.listdir(root)):
        path = os.path.join(root, top)
        if top.startswith(".") or top in SKIP_TOP or not os.path.isdir(path):
            continue
        files = []
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                if fn.endswith(SOURCE_EXT + (".h",)):
                    files.append(os.path.relpath(os.path.join(dirpath, fn), root))
        if files:
            programs[top] = files
    return programs


def nm_symbols(root, obj):
    """(defined, undefined) external symbols of an object."""
    out = subprocess.run(["nm", "-P", "-g", os.path.join(root, obj)],
                         check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        (undefined if parts[1] in NM_UNDEFINED else defined).add(parts[0])
    return defined, undefined


def analyse(root):
    """Rooms and arrows of the tree at root.
    Returns (rooms: key -> Room, arrows: (from key, to key) -> Arrow, long files)."""
    programs = find_programs(root)
    rooms = {}
    file_room = {}
    for program, files in programs.items():
        for f in files:
            key, ext = os.path.splitext(f)
            room = rooms.setdefault(key, Room(program, key))
            if ext == ".h":
                room.header = f
            else:
                if room.source:
                    raise TreeError("%s and %s: two sources of one room" % (room.source, f))
                room.source = f
            file_room[f] = key

    arrows = {}

    def arrow(a, b):
        return arrows.setdefault((a, b), Arrow())

    # calls and uses, from the objects, matched within each program
    problems = []
    for program in programs:
        defined_by = {}
        undefined_in = {}
        for room in rooms.values():
            if room.program != program or not room.source:
                continue
            obj = os.path.splitext(room.source)[0] + ".o"
            if not os.path.exists(os.path.join(root, obj)):
                problems.append("%s: no object %s (build first: make)" % (room.source, obj))
                continue
            if os.path.getmtime(os.path.join(root, obj)) < os.path.getmtime(os.path.join(root, room.source)):
                problems.append("%s: object %s is older than the source (build first: make)" % (room.source, obj))
                continue
            defined, undefined = nm_symbols(root, obj)
            for s in defined:
                defined_by.setdefault(s, set()).add(room.key)
            undefined_in[room.key] = undefined
        for user, undefined in undefined_in.items():
            for s in undefined:
                for definer in defined_by.get(s, ()):
                    if definer != user:
                        arrow(user, definer).symbols.add(s)
    if problems:
        raise TreeError("\n".join(problems))

    # includes, from the sources
    texts = {f: strip_comments_and_strings(read(root, f)) for f in file_room}
    names_of = {}
    for room in rooms.values():
        idents = set()
        for f in room.files():
            idents.update(IDENT_RE.findall(texts[f]))
        for f in room.files():
            for inc in INCLUDE_RE.findall(texts[f]):
                target = None
                for base in (os.path.dirname(f), room.program, ""):
                    cand = os.path.normpath(os.path.join(base, inc))
                    if cand in file_room:
                        target = cand
                        break
                if target is None:
                    # a header of another program, found by its -I (the
                    # receiver's common_* files, which the exporter compiles)
                    found = [c for c in (os.path.normpath(os.path.join(p, inc)) for p in programs)
                             if c in file_room]
                    if len(found) == 1:
                        target = found[0]
                if target is None or file_room[target] == room.key:
                    continue
                if target not in names_of:
                    names_of[target] = header_names(texts[target])
                used = names_of[target] & idents
                arrow(room.key, file_room[target]).includes.setdefault(target, set()).update(used)

    long_files = []
    for f in sorted(file_room):
        if f.endswith(".c"):
            n = len(read(root, f).splitlines())
            if n > MAX_LINES:
                long_files.append((f, n))
    return rooms, arrows, long_files


def strongly_connected(nodes, edges):
    """Tarjan's algorithm; returns the components (lists of nodes)."""
    succ = {n: sorted(b for (a, b) in edges if a == n) for n in nodes}
    index, low, stack, on_stack, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    sys.setrecursionlimit(max(1000, 4 * len(nodes) + 100))
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comps


def floors(nodes, edges, comps):
    """Floor of each node: 1 if it uses no other room, else one above the
    highest room it uses (a circle's rooms share one floor)."""
    comp_of = {n: i for i, c in enumerate(comps) for n in c}
    floor = {}

    def comp_floor(i):
        if i in floor:
            return floor[i]
        floor[i] = 1                                   # guards recursion on a circle
        below = [comp_floor(comp_of[b]) for (a, b) in edges
                 if comp_of[a] == i and comp_of[b] != i]
        floor[i] = 1 + max(below, default=0)
        return floor[i]

    return {n: comp_floor(comp_of[n]) for n in nodes}


def report(rooms, arrows, long_files, out):
    nodes = sorted(rooms)
    edges = set(arrows)
    comps = strongly_connected(nodes, edges)
    circles = [c for c in comps if len(c) > 1]
    in_circle = {n: i + 1 for i, c in enumerate(circles) for n in c}
    floor = floors(nodes, edges, comps)

    programs = sorted({r.program for r in rooms.values()})
    w = max([len(rooms[n].name) for n in nodes] + [10])
    out.write("Rooms: a .c/.cpp with its .h of the same name; arrows: #include \"...\" "
              "and the calls/uses nm finds between objects.\n")
    out.write("Floors, top down (floor 1 uses no other room); each line names the rooms it uses.\n")
    for program in programs:
        members = [n for n in nodes if rooms[n].program == program]
        top = max(floor[n] for n in members)
        out.write("\n%s/: %d rooms, %d floors\n" % (program, len(members), top))
        for n in sorted(members, key=lambda n: (-floor[n], rooms[n].name)):
            uses = sorted(rooms[b].short for (a, b) in edges if a == n)
            mark = "  [circle %d]" % in_circle[n] if n in in_circle else ""
            out.write("  %3d  %-*s %s%s\n" % (floor[n], w, rooms[n].name,
                                             ("-> " + ", ".join(uses)) if uses else "", mark))

    ok = True
    if circles:
        ok = False
        out.write("\nFAIL: %d circle(s): rooms that include or call each other, directly or "
                  "through others; every arrow inside each:\n" % len(circles))
        for i, c in enumerate(circles, 1):
            out.write("  circle %d: %s\n" % (i, " - ".join(rooms[n].name for n in c)))
            for (a, b) in sorted(edges):
                if a in c and b in c:
                    out.write("    %s -> %s: %s\n" % (rooms[a].name, rooms[b].name, arrows[(a, b)].label()))
    if long_files:
        ok = False
        out.write("\nFAIL: .c files over %d lines:\n" % MAX_LINES)
        for f, n in long_files:
            out.write("  %s: %d lines\n" % (f, n))
    if ok:
        out.write("\nok: no circles, no .c file over %d lines\n" % MAX_LINES)
    return ok, circles


def run(root, out):
    try:
        rooms, arrows, long_files = analyse(root)
    except TreeError as e:
        out.write("structure check: cannot read the tree:\n%s\n" % e)
        return 2, None
    ok, circles = report(rooms, arrows, long_files, out)
    return (0 if ok else 1), (rooms, arrows, long_files, circles)


# ---- the self-test: a synthetic tree with circles and a long file ----

SELF_TEST_TREE = {
    # a.c calls b_fn; b.c includes a.h for AType and ATYPE_MAX: a circle of a call and an include
    "src/a.h": "#ifndef A_H\n#define A_H\n#define ATYPE_MAX 3\ntypedef struct AType { int x; } AType;\n"
               "extern int a_fn(void);\n#endif\n",
    "src/a.c": '#include "a.h"\n#include "b.h"\n#include "e.h"\nint a_fn(void) { return b_fn() + E_ONE; }\n',
    "src/b.h": "#ifndef B_H\n#define B_H\nextern int b_fn(void);\n#endif\n",
    "src/b.c": '#include "a.h"\n#include "b.h"\n#include "f.h"\n'
               "int b_fn(void) { AType t = {ATYPE_MAX}; return t.x + f_fn(); }\n",
    # c.c and d.c call each other with no include at all: only nm sees it
    "src/c.c": "extern int d_fn(int);\nint c_fn(int n) { return n ? d_fn(n - 1) : 0; }\n",
    "src/d.c": "extern int c_fn(int);\nint d_global;\nint d_fn(int n) { return n ? c_fn(n - 1) : d_global; }\n",
    # a header-only room and a room that uses nothing
    "src/e.h": "#define E_ONE 1\nstatic inline int e_twice(int x) { return 2 * x; }\n",
    "src/f.h": "extern int f_fn(void);\n",
    "src/f.c": '#include "f.h"\nint f_fn(void) { return 1; }\n',
    # a second program whose symbol names repeat the first's: matched within its own folder
    "prog/p.c": "extern int q_fn(void);\nint d_fn(int n) { return n + q_fn(); }\n",
    "prog/q.c": "int q_fn(void) { return 2; }\n",
    # C outside the programs is not looked at
    "test/t.c": '#include "../src/a.h"\nint main(void) { return a_fn(); }\n',
}


def self_test():
    results = []

    def check(ok, what):
        results.append(bool(ok))
        print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what))

    tmp = tempfile.mkdtemp(prefix="ct-structure-")
    try:
        for rel, text in SELF_TEST_TREE.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text)
        with open(os.path.join(tmp, "src/long.c"), "w") as f:
            f.write("int long_fn(void);\n" + "/* line */\n" * (MAX_LINES - 1) + "int long_fn(void) { return 0; }\n")
        with open(os.path.join(tmp, "src/edge.c"), "w") as f:     # exactly the limit passes
            f.write("/* line */\n" * (MAX_LINES - 1) + "int edge_fn(void) { return 0; }\n")
        with open(os.path.join(tmp, "src/big.cpp"), "w") as f:   # C++ may be long (phone.cpp)
            f.write('extern "C" int big_fn(void);\n' + "// line\n" * MAX_LINES + 'int big_fn(void) { return 0; }\n')

        def build():
            for dirpath, _, filenames in os.walk(tmp):
                for fn in filenames:
                    if fn.endswith(SOURCE_EXT) and not dirpath.endswith("test"):
                        src = os.path.join(dirpath, fn)
                        cc = "c++" if fn.endswith(".cpp") else "cc"
                        subprocess.run([cc, "-c", "-I", os.path.join(tmp, "src"), src, "-o",
                                        os.path.splitext(src)[0] + ".o"], check=True)
        build()

        import io
        buf = io.StringIO()
        code, res = run(tmp, buf)
        text = buf.getvalue()
        print("# " + text.replace("\n", "\n# "))
        check(code == 1, "a tree with circles and a long file fails (exit 1)")
        rooms, arrows, long_files, circles = res
        names = sorted(sorted(rooms[n].name for n in c) for c in circles)
        check(names == [["src/a.c", "src/b.c"], ["src/c.c", "src/d.c"]],
              "both circles found, no more: %s" % names)
        check('src/a.c -> src/b.c: b_fn; #include "b.h" (b_fn)' in text, "a call names its symbol")
        check('src/b.c -> src/a.c: #include "a.h" (ATYPE_MAX, AType)' in text,
              "an include names the type and macro it brings")
        check("src/c.c -> src/d.c: d_fn" in text and "src/d.c -> src/c.c: c_fn" in text,
              "a circle of calls without includes is found (nm)")
        check(long_files == [("src/long.c", MAX_LINES + 1)], "the long .c file, not the .cpp: %s" % long_files)
        check(("prog", "src") not in {(rooms[a].program, rooms[b].program) for (a, b) in arrows},
              "symbols are matched within their own program")
        check(not any(r.name.startswith("test/") for r in rooms.values()), "test/ is not a program")
        check(rooms["src/e"].header == "src/e.h" and rooms["src/e"].source is None
              and 'src/a.c -> src/e.h' not in text.split("FAIL")[1], "a header without a .c is a room")
        check(re.search(r"^\s+1\s+src/e\.h\s*$", text, re.M) and re.search(r"^\s+1\s+src/f\.c\s*$", text, re.M),
              "rooms that use nothing are on floor 1")
        check(re.search(r"^\s+2\s+src/a\.c\s+-> b\.c, e\.h\s+\[circle \d+\]$", text, re.M),
              "a circle's rooms share the floor above what they use")

        # the same tree without its circles and its long file passes
        with open(os.path.join(tmp, "src/b.c"), "w") as f:
            f.write('#include "b.h"\n#include "f.h"\nint b_fn(void) { return f_fn(); }\n')
        with open(os.path.join(tmp, "src/d.c"), "w") as f:
            f.write("int d_global;\nint d_fn(int n) { return n + d_global; }\n")
        os.remove(os.path.join(tmp, "src/long.c"))
        os.remove(os.path.join(tmp, "src/long.o"))
        build()
        buf = io.StringIO()
        code, _ = run(tmp, buf)
        check(code == 0 and "ok: no circles" in buf.getvalue(), "the tree without them passes")
        check(re.search(r"^\s+3\s+src/a\.c\s+-> b\.c, e\.h$", buf.getvalue(), re.M),
              "floors: a.c above b.c above f.c")

        # an object missing: the check refuses to guess
        os.remove(os.path.join(tmp, "src/c.o"))
        buf = io.StringIO()
        code, _ = run(tmp, buf)
        check(code == 2 and "src/c.c: no object src/c.o" in buf.getvalue(), "a missing object is an error (exit 2)")
    finally:
        shutil.rmtree(tmp)
    print("1..%d" % len(results))
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 0 if not failed else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=".", help="the repository root (default: .)")
    ap.add_argument("--self-test", action="store_true", help="check the checker on a synthetic tree")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    code, _ = run(args.root, sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
