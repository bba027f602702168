"""Load newsgraph's graph-tool exports with NetworkX and compare them with
the JSON export. Run by tests/viz.rs as
`python3 tests/viz_check.py DIR` where DIR holds graph.json, graph.graphml,
graph.gexf and graph.nodelink.json. Prints one line per format; exits
non-zero on the first mismatch."""
import json
import os
import sys

import networkx as nx

d = sys.argv[1]
ref = json.load(open(os.path.join(d, "graph.json"), encoding="utf-8"))
n_nodes, n_edges = len(ref["nodes"]), len(ref["edges"])
ref_nodes = {n["id"]: n for n in ref["nodes"]}


def check(name, g):
    # Readers return a multigraph only when the file has parallel edges.
    assert g.is_directed(), name
    assert g.number_of_nodes() == n_nodes, (name, g.number_of_nodes(), n_nodes)
    assert g.number_of_edges() == n_edges, (name, g.number_of_edges(), n_edges)
    assert set(g.nodes) == set(ref_nodes), name
    for u, v, data in g.edges(data=True):
        assert isinstance(data["predicate"], str), name
    pairs = sorted((e["source"], e["predicate"], e["target"]) for e in ref["edges"])
    got = sorted((u, data["predicate"], v) for u, v, data in g.edges(data=True))
    assert pairs == got, name
    print(f"{name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, as in JSON")


def typed(name, g):
    """Attributes come back typed: ints, doubles and booleans, not strings."""
    for nid, data in g.nodes(data=True):
        assert isinstance(data["mention_count"], int), (name, nid, data)
        assert data["mention_count"] == len(ref_nodes[nid]["mentions"]), (name, nid)
        assert data["type"] == ref_nodes[nid]["type"], (name, nid)
        if "amount" in data:
            assert isinstance(data["amount"], float), (name, nid, data)
        if "approx" in data:
            assert isinstance(data["approx"], bool), (name, nid, data)
    for u, v, data in g.edges(data=True):
        assert isinstance(data["evidence_start"], int), (name, data)
        assert isinstance(data["evidence_end"], int), (name, data)
        assert data["evidence_start"] < data["evidence_end"], (name, data)


g = nx.read_graphml(os.path.join(d, "graph.graphml"), force_multigraph=True)
check("graphml", g)
typed("graphml", g)

g = nx.read_gexf(os.path.join(d, "graph.gexf"), version="1.3")
check("gexf", g)
typed("gexf", g)
dated = [data for _, _, data in g.edges(data=True) if "date" in data and not data["date"].startswith("--")]
assert dated and all("start" in data for data in dated), "dated edges carry start"

data = json.load(open(os.path.join(d, "graph.nodelink.json"), encoding="utf-8"))
g = nx.node_link_graph(data, edges="edges")
check("nodelink", g)
print("ok")
