"""tests/report.py - rows of a `sluice check --format json` report, for the
shell tests (through report_rows in tests/lib.sh), so that each test says
what it looks at instead of carrying its own JSON-reading Python.

    report.py KIND FORMAT [FIELD=VALUE ...] [--join SEP] < report.json

KIND is one of
    summary     one row: the summary's fields, and `paths` (the files' paths,
                space separated)
    files       a row per judged file
    statements  a row per statement
    findings    a row per finding: the file's own (level "file") first, then
                its statements' (level "statement")
FORMAT is a str.format() template over the row's fields:
    file:       path framework direction txn ("txn" or "notxn") lines (its
                statements' lines, space separated)
    statement:  the file's, and line sql head (its first three words joined
                by "_")
    finding:    the file's, the statement's (none for a file's own finding),
                and rule severity message line level ignored ignore_reason
Booleans read "true" / "false". FIELD=VALUE keeps only the rows whose field
reads VALUE; a field a row does not have reads "". The rows are printed one a line, or joined by SEP.
"""
import json
import sys
from collections import defaultdict


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def file_fields(f):
    return {
        "path": f["path"],
        "framework": f.get("framework"),
        "direction": f.get("direction"),
        "txn": "txn" if f.get("in_transaction") else "notxn",
        "lines": " ".join(str(s["line"]) for s in f["statements"]),
    }


def statement_fields(f, s):
    row = file_fields(f)
    row.update(line=s["line"], sql=s["sql"], head="_".join(s["sql"].split()[:3]))
    return row


def finding_fields(base, x, line, level):
    row = dict(base)
    row.update(rule=x["rule"], severity=x["severity"], message=x["message"], line=line,
               level=level, ignored=bool(x.get("ignored")), ignore_reason=x.get("ignore_reason"))
    return row


def rows(report, kind):
    if kind == "summary":
        row = dict(report["summary"])
        row["paths"] = " ".join(f["path"] for f in report["files"])
        yield row
        return
    for f in report["files"]:
        if kind == "files":
            yield file_fields(f)
        elif kind == "statements":
            for s in f["statements"]:
                yield statement_fields(f, s)
        elif kind == "findings":
            for x in f.get("findings", []):
                yield finding_fields(file_fields(f), x, x.get("line"), "file")
            for s in f["statements"]:
                for x in s["findings"]:
                    yield finding_fields(statement_fields(f, s), x, s["line"], "statement")
        else:
            sys.exit("report.py: unknown kind '%s' (summary, files, statements, findings)" % kind)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    kind, template, args = argv[1], argv[2], argv[3:]
    join = "\n"
    wanted = []
    while args:
        a = args.pop(0)
        if a == "--join" and args:
            join = args.pop(0)
        elif "=" in a:
            wanted.append(a.split("=", 1))
        else:
            sys.exit("report.py: '%s' is neither FIELD=VALUE nor --join SEP" % a)
    text_in = sys.stdin.read()
    try:
        report = json.loads(text_in)
    except ValueError as e:
        # sluice printed no report: say what came instead, for the test's log
        sys.exit("report.py: not a JSON report (%d bytes: %r): %s" % (len(text_in), text_in[:200], e))
    out = []
    for row in rows(report, kind):
        if all(text(row.get(k)) == v for k, v in wanted):
            # a field the row does not have reads "" (a summary without a base)
            out.append(template.format_map(defaultdict(str, {k: text(v) for k, v in row.items()})))
    if out:
        print(join.join(out))


main(sys.argv)
