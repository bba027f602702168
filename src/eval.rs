//! Scoring a graph against gold data: the same measures as
//! `../shared/eval/score.py` (graph level) and `score_ner.py` (mention
//! level), computed in Rust so `newsgraph eval` and the test suite can hold
//! score floors and list what was missed, each spurious item with the rule
//! that produced it.
//!
//! Graph level (see `fixtures/SCHEMA.md`): a system node matches a gold
//! entity when the types agree and a name or alias is shared after folding
//! (NFKC, lower case, no white space: script variants match only through the
//! gold aliases, exactly as the reference scorer does); a value matches on
//! type and normalized value; an edge matches when predicate, subject and
//! object match (either direction for symmetric predicates; quotations match
//! when one text contains the other and is at least 60% of its length).

use crate::graph::{GraphNode, KnowledgeGraph};
use crate::model::NodeType;
use crate::value::Value;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use unicode_normalization::UnicodeNormalization;

/// A gold graph (`*.gold.json`).
#[derive(Debug, Deserialize)]
pub struct GoldGraph {
    #[serde(default)]
    pub entities: Vec<GoldEntity>,
    #[serde(default)]
    pub values: Vec<GoldValue>,
    #[serde(default)]
    pub relations: Vec<GoldRelation>,
}

#[derive(Debug, Deserialize)]
pub struct GoldEntity {
    pub name: String,
    #[serde(rename = "type")]
    pub node_type: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldValue {
    #[serde(rename = "type")]
    pub node_type: String,
    pub text: String,
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub struct GoldRelation {
    pub subject: String,
    pub predicate: String,
    pub object: String,
}

/// Precision, recall and F1 with their counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prf {
    pub gold: usize,
    pub system: usize,
    /// Gold items found.
    pub found: usize,
    /// System items that match some gold item.
    pub correct: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.system == 0 { 0.0 } else { self.correct as f64 / self.system as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 { 0.0 } else { self.found as f64 / self.gold as f64 }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn add(&mut self, o: &Prf) {
        self.gold += o.gold;
        self.system += o.system;
        self.found += o.found;
        self.correct += o.correct;
    }
}

/// Scores per kind (`entities`, `values`, `relations`) and per type, with
/// `ALL` totals, plus what was missed and what was spurious (with rules).
#[derive(Debug, Default)]
pub struct GraphScore {
    pub kinds: BTreeMap<&'static str, BTreeMap<String, Prf>>,
    pub missed: Vec<String>,
    pub spurious: Vec<String>,
    /// For a missed item, what the system found that came closest and the
    /// rule behind it (`found as Place by rules/gazetteers/place.tsv:123`).
    pub hints: BTreeMap<String, String>,
}

impl GraphScore {
    pub fn all(&self, kind: &str) -> Prf {
        self.kinds.get(kind).and_then(|m| m.get("ALL")).copied().unwrap_or_default()
    }
}

/// The reference scorer's name folding.
pub fn fold_name(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

fn strip_punct(s: &str) -> String {
    const PUNCT: &str = " \t\r\n\u{3000},.;:!?，。；：！？、“”‘’\"'「」『』《》()（）";
    fold_name(s).chars().filter(|c| !PUNCT.contains(*c)).collect()
}

fn node_names(n: &GraphNode) -> HashSet<String> {
    let mut names: HashSet<String> = std::iter::once(&n.name).chain(&n.aliases).chain(&n.texts).map(|s| fold_name(s)).collect();
    names.retain(|s| !s.is_empty());
    names
}

fn gold_entity_names(g: &GoldEntity) -> HashSet<String> {
    std::iter::once(&g.name).chain(&g.aliases).map(|s| fold_name(s)).collect()
}

fn value_number(v: &Value) -> Option<f64> {
    match v {
        Value::Money { amount, .. } | Value::Quantity { amount, .. } => Some(*amount),
        Value::Percent { fraction, .. } => Some(*fraction),
        Value::Date(_) => None,
    }
}

fn value_matches(g: &GoldValue, n: &GraphNode) -> bool {
    if g.node_type != n.node_type.as_str() {
        return false;
    }
    match (&n.value, &g.value) {
        (Some(Value::Date(d)), serde_json::Value::String(s)) => fold_name(&d.iso) == fold_name(s),
        (Some(v), gv) => match (value_number(v), gv.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0),
            _ => false,
        },
        _ => false,
    }
}

fn entity_matches(g: &GoldEntity, n: &GraphNode) -> bool {
    g.node_type == n.node_type.as_str() && !gold_entity_names(g).is_disjoint(&node_names(n))
}

fn quote_matches(a: &str, b: &str) -> bool {
    let (a, b) = (strip_punct(a), strip_punct(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() { (a, b) } else { (b, a) };
    long.contains(&short) && short.chars().count() as f64 >= 0.6 * long.chars().count() as f64
}

enum GoldRef<'a> {
    Entity(&'a GoldEntity),
    Value(&'a GoldValue),
    Literal(&'a str),
}

/// Gold items and system nodes of one kind (entities or values), with how
/// they match: scored per type the same way.
struct NodeKind<'a, G> {
    /// (type, name or text, item)
    golds: Vec<(&'a str, &'a str, G)>,
    graph: &'a KnowledgeGraph,
    nodes: Vec<&'a GraphNode>,
    matches: &'a dyn Fn(&G, &GraphNode) -> bool,
    hint: &'a dyn Fn(&G, &[&GraphNode]) -> Option<String>,
}

impl<G> NodeKind<'_, G> {
    fn score(&self, score: &mut GraphScore) -> BTreeMap<String, Prf> {
        let types: BTreeSet<&str> =
            self.golds.iter().map(|g| g.0).chain(self.nodes.iter().map(|n| n.node_type.as_str())).collect();
        let mut table = BTreeMap::new();
        let mut total = Prf::default();
        for t in types {
            let gt: Vec<&(&str, &str, G)> = self.golds.iter().filter(|g| g.0 == t).collect();
            let st: Vec<&GraphNode> = self.nodes.iter().copied().filter(|n| n.node_type.as_str() == t).collect();
            let hit = |g: &G| st.iter().any(|n| (self.matches)(g, n));
            let prf = Prf {
                gold: gt.len(),
                system: st.len(),
                found: gt.iter().filter(|g| hit(&g.2)).count(),
                correct: st.iter().filter(|n| gt.iter().any(|g| (self.matches)(&g.2, n))).count(),
            };
            for g in gt.iter().filter(|g| !hit(&g.2)) {
                let item = format!("{t}: {}", g.1);
                if let Some(h) = (self.hint)(&g.2, &self.nodes) {
                    score.hints.insert(item.clone(), h);
                }
                score.missed.push(item);
            }
            for n in st.iter().filter(|n| !gt.iter().any(|g| (self.matches)(&g.2, n))) {
                let rule = first_rule(self.graph, n);
                score.spurious.push(format!("{t}: {} ({rule})", n.name));
            }
            total.add(&prf);
            table.insert(t.to_string(), prf);
        }
        table.insert("ALL".to_string(), total);
        table
    }
}

/// Score a graph against a gold graph.
pub fn score_graph(gold: &GoldGraph, graph: &KnowledgeGraph) -> GraphScore {
    let mut score = GraphScore::default();
    let nodes: Vec<&GraphNode> = graph.nodes().collect();
    let entity_nodes: Vec<&GraphNode> = nodes.iter().copied().filter(|n| n.node_type.is_entity()).collect();
    let value_nodes: Vec<&GraphNode> = nodes.iter().copied().filter(|n| n.node_type.is_value()).collect();

    let entities = NodeKind {
        golds: gold.entities.iter().map(|g| (g.node_type.as_str(), g.name.as_str(), g)).collect(),
        graph,
        nodes: entity_nodes,
        matches: &|g: &&GoldEntity, n: &GraphNode| entity_matches(g, n),
        hint: &|g: &&GoldEntity, nodes: &[&GraphNode]| entity_hint(g, graph, nodes),
    };
    let values = NodeKind {
        golds: gold.values.iter().map(|g| (g.node_type.as_str(), g.text.as_str(), g)).collect(),
        graph,
        nodes: value_nodes,
        matches: &|g: &&GoldValue, n: &GraphNode| value_matches(g, n),
        hint: &|g: &&GoldValue, nodes: &[&GraphNode]| value_hint(g, graph, nodes),
    };
    let table = entities.score(&mut score);
    score.kinds.insert("entities", table);
    let table = values.score(&mut score);
    score.kinds.insert("values", table);

    // Relations.
    fn gold_ref<'a>(gold: &'a GoldGraph, name: &'a str) -> GoldRef<'a> {
        let f = fold_name(name);
        if let Some(g) = gold.entities.iter().find(|g| gold_entity_names(g).contains(&f)) {
            return GoldRef::Entity(g);
        }
        if let Some(g) = gold.values.iter().find(|g| fold_name(&g.text) == f) {
            return GoldRef::Value(g);
        }
        GoldRef::Literal(name)
    }
    let node_is = |r: &GoldRef, n: &GraphNode| match r {
        GoldRef::Entity(g) => entity_matches(g, n),
        GoldRef::Value(g) => value_matches(g, n) || (g.node_type == n.node_type.as_str() && node_names(n).contains(&fold_name(&g.text))),
        GoldRef::Literal(text) => n.node_type == NodeType::Quotation && quote_matches(text, &n.name),
    };
    let edges: Vec<_> = graph.edges().collect();
    let preds: BTreeSet<String> = gold.relations.iter().map(|r| r.predicate.clone())
        .chain(edges.iter().map(|(_, e, _)| e.predicate.as_str().to_string())).collect();
    let mut rel = BTreeMap::new();
    let mut total = Prf::default();
    for p in &preds {
        let gp: Vec<&GoldRelation> = gold.relations.iter().filter(|r| &r.predicate == p).collect();
        let sp: Vec<_> = edges.iter().filter(|(_, e, _)| e.predicate.as_str() == p).collect();
        let matches = |r: &GoldRelation, s: &GraphNode, t: &GraphNode, symmetric: bool| {
            let (sr, or) = (gold_ref(gold, &r.subject), gold_ref(gold, &r.object));
            (node_is(&sr, s) && node_is(&or, t)) || (symmetric && node_is(&sr, t) && node_is(&or, s))
        };
        let mut prf = Prf { gold: gp.len(), system: sp.len(), ..Prf::default() };
        for r in &gp {
            if sp.iter().any(|(s, e, t)| matches(r, s, t, e.predicate.is_symmetric())) {
                prf.found += 1;
            } else {
                let item = format!("{} {p} {}", r.subject, r.object);
                let (sr, or) = (gold_ref(gold, &r.subject), gold_ref(gold, &r.object));
                // Same two nodes, another predicate; else the same predicate
                // from the subject or to the object; else the missing node.
                let other_predicate = edges.iter().find(|(s, _, t)| (node_is(&sr, s) && node_is(&or, t)) || (node_is(&sr, t) && node_is(&or, s)));
                let half = || sp.iter().find(|(s, _, _)| node_is(&sr, s)).or_else(|| sp.iter().find(|(_, _, t)| node_is(&or, t)));
                let hint = if let Some((s, e, t)) = other_predicate {
                    Some(format!("found as {} {} {} by {}", s.name, e.predicate, short(&t.name), e.rule))
                } else if let Some((s, e, t)) = half() {
                    Some(format!("closest: {} {p} {} by {}", s.name, short(&t.name), e.rule))
                } else if !nodes.iter().any(|n| node_is(&sr, n)) {
                    Some(format!("no node for the subject {}", r.subject))
                } else if !nodes.iter().any(|n| node_is(&or, n)) {
                    Some(format!("no node for the object {}", short(&r.object)))
                } else {
                    None
                };
                if let Some(hint) = hint {
                    score.hints.insert(item.clone(), hint);
                }
                score.missed.push(item);
            }
        }
        for (s, e, t) in &sp {
            if gp.iter().any(|r| matches(r, s, t, e.predicate.is_symmetric())) {
                prf.correct += 1;
            } else {
                let object: String = t.name.chars().take(30).collect();
                score.spurious.push(format!("{} {p} {} ({})", s.name, object, e.rule));
            }
        }
        total.add(&prf);
        rel.insert(p.clone(), prf);
    }
    rel.insert("ALL".to_string(), total);
    score.kinds.insert("relations", rel);
    score
}

fn short(s: &str) -> String {
    s.chars().take(30).collect()
}

fn first_rule<'g>(graph: &'g KnowledgeGraph, n: &'g GraphNode) -> &'g str {
    graph.first_mention(n).map(|m| m.rule.as_static_str()).unwrap_or("")
}

/// What came closest to a missed gold entity: a node with one of its names
/// but another type, else a node whose name contains one of its names or is
/// contained in one.
fn entity_hint(g: &GoldEntity, graph: &KnowledgeGraph, nodes: &[&GraphNode]) -> Option<String> {
    let names = gold_entity_names(g);
    if let Some(n) = nodes.iter().find(|n| !names.is_disjoint(&node_names(n))) {
        return Some(format!("found as {} by {}", n.node_type, first_rule(graph, n)));
    }
    let near = |n: &&&GraphNode| {
        node_names(n).iter().any(|x| names.iter().any(|g| x.chars().count() >= 2 && g.chars().count() >= 2 && (x.contains(g.as_str()) || g.contains(x.as_str()))))
    };
    nodes.iter().find(near).map(|n| format!("closest: {} as {} by {}", n.name, n.node_type, first_rule(graph, n)))
}

/// What came closest to a missed gold value: the same text with another
/// value or type.
fn value_hint(g: &GoldValue, graph: &KnowledgeGraph, nodes: &[&GraphNode]) -> Option<String> {
    let text = fold_name(&g.text);
    let n = nodes.iter().find(|n| node_names(n).contains(&text)).or_else(|| {
        nodes.iter().find(|n| node_names(n).iter().any(|x| x.contains(text.as_str()) || text.contains(x.as_str())))
    })?;
    let value = n.value.as_ref().map_or_else(String::new, |v| format!(" = {v}"));
    Some(format!("found {} as {}{value} by {}", n.name, n.node_type, first_rule(graph, n)))
}

/// One line of a PER/ORG/LOC gold set.
#[derive(Debug, Deserialize)]
pub struct NerLine {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub entities: Vec<NerSpan>,
}

#[derive(Debug, Deserialize)]
pub struct NerSpan {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub label: String,
}

/// Mention-level scores per label (PER, ORG, LOC, ALL), exact span and type.
pub fn score_ner(gold: &[NerLine], graph: &KnowledgeGraph) -> (BTreeMap<String, Prf>, Vec<String>, Vec<String>) {
    let s = score_ner_detailed(gold, graph);
    (s.table, s.missed, s.spurious)
}

/// Mention-level scores, misses (with what came closest) and spurious
/// mentions (with their rules).
#[derive(Debug, Default)]
pub struct NerScore {
    pub table: BTreeMap<String, Prf>,
    pub missed: Vec<String>,
    pub spurious: Vec<String>,
    /// Missed item → the system mention at or across its span, with its rule.
    pub hints: BTreeMap<String, String>,
}

/// [`score_ner`] with hints for the misses.
pub fn score_ner_detailed(gold: &[NerLine], graph: &KnowledgeGraph) -> NerScore {
    let docs: HashSet<&str> = gold.iter().map(|l| l.id.as_str()).collect();
    let label = |t: NodeType| match t {
        NodeType::Person => Some("PER"),
        NodeType::Organization => Some("ORG"),
        NodeType::Place => Some("LOC"),
        _ => None,
    };
    let mut system: HashSet<(String, usize, usize, &str)> = HashSet::new();
    let mut rule_of: BTreeMap<(String, usize, usize), String> = BTreeMap::new();
    for n in graph.nodes() {
        let Some(l) = label(n.node_type) else { continue };
        for m in graph.mentions(n) {
            if docs.contains(m.doc) {
                system.insert((m.doc.to_string(), m.start, m.end, l));
                rule_of.insert((m.doc.to_string(), m.start, m.end), m.rule.to_string());
            }
        }
    }
    let gold_set: HashSet<(String, usize, usize, &str)> = gold
        .iter()
        .flat_map(|l| l.entities.iter().map(move |e| (l.id.clone(), e.start, e.end, e.label.as_str())))
        .collect();
    let mut out = BTreeMap::new();
    for t in ["PER", "ORG", "LOC", "ALL"] {
        let g: HashSet<_> = gold_set.iter().filter(|m| t == "ALL" || m.3 == t).collect();
        let s: HashSet<_> = system.iter().filter(|m| t == "ALL" || m.3 == t).collect();
        let tp = g.intersection(&s).count();
        out.insert(t.to_string(), Prf { gold: g.len(), system: s.len(), found: tp, correct: tp });
    }
    let texts: BTreeMap<&str, Vec<char>> = gold.iter().map(|l| (l.id.as_str(), l.text.chars().collect())).collect();
    let show = |m: &(String, usize, usize, &str)| -> String {
        let t = &texts[m.0.as_str()];
        let s: String = t[m.1.min(t.len())..m.2.min(t.len())].iter().collect();
        format!("{} {} {}", m.0, m.3, s)
    };
    let mut missed: Vec<_> = gold_set.difference(&system).collect();
    missed.sort();
    let mut spurious: Vec<_> = system.difference(&gold_set).collect();
    spurious.sort();
    // Every system mention of the gold documents, any type, for the hints.
    let mut all: Vec<(&str, usize, usize, NodeType, &str)> = Vec::new();
    for n in graph.nodes() {
        for m in graph.mentions(n).filter(|m| docs.contains(m.doc)) {
            all.push((m.doc, m.start, m.end, n.node_type, m.rule.as_static_str()));
        }
    }
    all.sort();
    let mut hints = BTreeMap::new();
    for m in &missed {
        let t = &texts[m.0.as_str()];
        let text_of = |s: usize, e: usize| -> String { t[s.min(t.len())..e.min(t.len())].iter().collect() };
        let same = all.iter().find(|a| a.0 == m.0 && a.1 == m.1 && a.2 == m.2);
        let across = all.iter().find(|a| a.0 == m.0 && a.1 < m.2 && m.1 < a.2);
        let hint = match (same, across) {
            (Some(a), _) => Some(format!("found as {} by {}", a.3, a.4)),
            (None, Some(a)) => Some(format!("closest: {} as {} by {}", text_of(a.1, a.2), a.3, a.4)),
            _ => None,
        };
        if let Some(h) = hint {
            hints.insert(show(m), h);
        }
    }
    let missed = missed.into_iter().map(show).collect();
    let spurious = spurious
        .into_iter()
        .map(|m| format!("{} ({})", show(m), rule_of.get(&(m.0.clone(), m.1, m.2)).map(String::as_str).unwrap_or("")))
        .collect();
    NerScore { table: out, missed, spurious, hints }
}

/// Render a score table: one line per type.
pub fn render_table(rows: &BTreeMap<String, Prf>) -> String {
    let mut out = String::new();
    for k in rows.keys().filter(|k| *k != "ALL").chain(rows.keys().filter(|k| *k == "ALL")) {
        let m = rows[k];
        out.push_str(&format!(
            "  {k:14} P {:.3}  R {:.3}  F1 {:.3}  (gold {}, system {})\n",
            m.precision(), m.recall(), m.f1(), m.gold, m.system
        ));
    }
    out
}
