#!/usr/bin/env python3
"""Parse newsgraph RDF outputs with rdflib, a third-party parser.

Usage: rdf_check.py FILE [FILE ...]   (format chosen by extension)

For each file prints `ok FILE TRIPLES` or `error FILE: message`; warnings
rdflib logs while parsing (bad literals, odd IRIs) are printed as
`warning FILE: message` and count as failures, because a clean export
should not trigger any. Exit status 0 when every file parsed without
warnings, 1 otherwise, 2 when rdflib is missing.
"""

import logging
import sys
import warnings

try:
    import rdflib
except ImportError:
    print("rdflib is not installed (pip install rdflib)", file=sys.stderr)
    sys.exit(2)

FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "rdf": "xml",
    "jsonld": "json-ld",
}


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def check(path):
    ext = path.rsplit(".", 1)[-1].lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        return [f"error {path}: unknown extension .{ext}"]
    handler = Collect()
    logging.getLogger("rdflib").addHandler(handler)
    problems = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            graph = rdflib.Dataset() if fmt in ("nquads", "trig", "json-ld") else rdflib.Graph()
            graph.parse(path, format=fmt)
        count = len(graph)
        if isinstance(graph, rdflib.Dataset):
            count = sum(1 for _ in graph.quads((None, None, None, None)))
        # Literals whose lexical form does not match their datatype.
        for triple in graph.triples((None, None, None)) if not isinstance(graph, rdflib.Dataset) else (
            (s, p, o) for s, p, o, _ in graph.quads((None, None, None, None))
        ):
            o = triple[2]
            if isinstance(o, rdflib.Literal) and o.datatype is not None and getattr(o, "ill_typed", False):
                problems.append(f"warning {path}: ill-typed literal {o.n3()}")
        # rdflib's own deprecation notices are about rdflib, not the file.
        seen = set()
        for w in caught:
            if issubclass(w.category, DeprecationWarning) or str(w.message) in seen:
                continue
            seen.add(str(w.message))
            problems.append(f"warning {path}: {w.message}")
        problems += [f"warning {path}: {m}" for m in handler.messages]
        if not problems:
            print(f"ok {path} {count}")
    except Exception as e:  # noqa: BLE001 - report every parser failure
        problems.append(f"error {path}: {type(e).__name__}: {e}")
    finally:
        logging.getLogger("rdflib").removeHandler(handler)
    return problems


def main(paths):
    failures = 0
    for path in paths:
        problems = check(path)
        for p in problems:
            print(p)
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
