//! The order of RDF output: triples sorted by the N-Triples rendering of
//! their subject, then `rdf:type` before any other predicate, then the
//! rendering of predicate and object; duplicates dropped. Stable bytes in
//! every format, and well-grouped Turtle.
//!
//! The renderings are written once into one buffer and compared as slices
//! of it. (Rendering each term into its own `String` through `Display`, and
//! finding duplicates with a hash set of cloned triples, took five times as
//! long as extracting the document in a `--stream --format nquads` run.)

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedOrBlankNode, Term, Triple};
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;

/// Sort `triples` into output order and drop duplicates; the returned
/// renderings are in the same order, for [`Rendered::write_lines`].
pub fn sort_and_dedup(triples: &mut Vec<Triple>) -> Rendered {
    let mut rendered = Rendered::of(triples);
    let mut order = rendered.output_order();
    order.dedup_by(|later, earlier| rendered.same_triple(*later, *earlier));
    *triples = picked_in_order(std::mem::take(triples), &order);
    rendered.keys = picked_in_order(std::mem::take(&mut rendered.keys), &order);
    rendered
}

/// The items at the indices of `order` (each at most once), in that order.
fn picked_in_order<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    let mut picked = Vec::with_capacity(order.len());
    picked.extend(order.iter().filter_map(|&i| slots[i].take()));
    picked
}

/// The N-Triples rendering of every triple's terms, in one buffer.
pub struct Rendered {
    text: String,
    keys: Vec<Key>,
}

/// Where one triple's terms stand in [`Rendered::text`].
struct Key {
    subject: Range<usize>,
    is_type: bool,
    predicate: Range<usize>,
    object: Range<usize>,
}

/// Lines are gathered into blocks of about this size before they are
/// written.
const WRITE_BLOCK: usize = 1 << 16;

impl Rendered {
    fn of(triples: &[Triple]) -> Rendered {
        // About what a triple takes (an N-Quads line of the benchmark
        // corpus averages 190 bytes), so the buffer seldom grows.
        let mut text = String::with_capacity(triples.len() * 200);
        let mut keys: Vec<Key> = Vec::with_capacity(triples.len());
        for (i, t) in triples.iter().enumerate() {
            let mut push = |render: &dyn Fn(&mut String)| {
                let start = text.len();
                render(&mut text);
                start..text.len()
            };
            // A node's triples are made together: the subject of the triple
            // before is usually this one's, rendered once for both.
            let subject = match (i.checked_sub(1).map(|before| (&triples[before].subject, &keys[before])), &t.subject) {
                (Some((before, key)), subject) if before == subject => key.subject.clone(),
                (_, subject) => push(&|out| render_subject(out, subject)),
            };
            keys.push(Key {
                subject,
                is_type: t.predicate == rdf::TYPE,
                predicate: push(&|out| render_iri(out, t.predicate.as_str())),
                object: push(&|out| render_term(out, &t.object)),
            });
        }
        Rendered { text, keys }
    }

    fn slice(&self, range: &Range<usize>) -> &[u8] {
        &self.text.as_bytes()[range.clone()]
    }

    /// The keys' indices in output order, duplicates still in. Subjects
    /// come in runs (see [`Rendered::of`]): the runs are sorted by their
    /// subject's rendering, then the triples of each subject among
    /// themselves, which compares strings far fewer times than one sort of
    /// all the triples.
    fn output_order(&self) -> Vec<usize> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for (i, key) in self.keys.iter().enumerate() {
            match runs.last_mut() {
                Some(run) if self.keys[run.start].subject == key.subject => run.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        let subject = |run: &Range<usize>| self.slice(&self.keys[run.start].subject);
        runs.sort_unstable_by(|a, b| subject(a).cmp(subject(b)));
        let mut order = Vec::with_capacity(self.keys.len());
        for same_subject in runs.chunk_by(|a, b| subject(a) == subject(b)) {
            let start = order.len();
            order.extend(same_subject.iter().flat_map(Range::clone));
            order[start..].sort_unstable_by(|&a, &b| self.compare_within_subject(a, b));
        }
        order
    }

    /// The order of two triples of one subject: `rdf:type` first, then by
    /// the renderings of predicate and object.
    fn compare_within_subject(&self, a: usize, b: usize) -> Ordering {
        let (a, b) = (&self.keys[a], &self.keys[b]);
        b.is_type
            .cmp(&a.is_type)
            .then_with(|| self.slice(&a.predicate).cmp(self.slice(&b.predicate)))
            .then_with(|| self.slice(&a.object).cmp(self.slice(&b.object)))
    }

    fn same_triple(&self, a: usize, b: usize) -> bool {
        self.compare_within_subject(a, b) == Ordering::Equal
            && self.slice(&self.keys[a].subject) == self.slice(&self.keys[b].subject)
    }

    /// The triples as N-Triples lines, or as N-Quads lines of the named
    /// graph `graph`: the bytes oxigraph's serializers write
    /// (`{subject} {predicate} {object}[ {graph}] .`), from the renderings
    /// the sort already made.
    pub fn write_lines(&self, graph: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
        let graph = graph.map(|iri| {
            let mut rendered = String::new();
            render_iri(&mut rendered, iri);
            rendered
        });
        let mut block = Vec::with_capacity(WRITE_BLOCK + 1024);
        for key in &self.keys {
            for (i, range) in [&key.subject, &key.predicate, &key.object].into_iter().enumerate() {
                if i > 0 {
                    block.push(b' ');
                }
                block.extend_from_slice(&self.text.as_bytes()[range.clone()]);
            }
            if let Some(g) = &graph {
                block.push(b' ');
                block.extend_from_slice(g.as_bytes());
            }
            block.extend_from_slice(b" .\n");
            if block.len() >= WRITE_BLOCK {
                out.write_all(&block)?;
                block.clear();
            }
        }
        out.write_all(&block)
    }
}

/// `<iri>`, as oxrdf's `Display` writes a named node.
fn render_iri(out: &mut String, iri: &str) {
    out.push('<');
    out.push_str(iri);
    out.push('>');
}

fn render_subject(out: &mut String, subject: &NamedOrBlankNode) {
    match subject {
        NamedOrBlankNode::NamedNode(n) => render_iri(out, n.as_str()),
        other => write!(out, "{other}").expect("writing to a String cannot fail"),
    }
}

fn render_term(out: &mut String, term: &Term) {
    match term {
        Term::NamedNode(n) => render_iri(out, n.as_str()),
        Term::Literal(l) if !needs_escapes(l.value()) => render_plain_literal(out, l),
        other => write!(out, "{other}").expect("writing to a String cannot fail"),
    }
}

/// Whether oxrdf's `print_quoted_str` escapes any character of `value`:
/// controls, `"`, `\`, DEL, U+FFFE and U+FFFF. (Such literals keep oxrdf's
/// own rendering.)
fn needs_escapes(value: &str) -> bool {
    value.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f) || value.contains(['\u{fffe}', '\u{ffff}'])
}

/// A literal without characters to escape, as oxrdf's `Display` writes it:
/// `"value"`, then `@language`, or `^^<datatype>` unless the datatype is
/// `xsd:string`.
fn render_plain_literal(out: &mut String, literal: &Literal) {
    out.push('"');
    out.push_str(literal.value());
    out.push('"');
    if let Some(language) = literal.language() {
        out.push('@');
        out.push_str(language);
    } else if literal.datatype() != xsd::STRING {
        out.push_str("^^");
        render_iri(out, literal.datatype().as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfSerializer};
    use oxigraph::model::{BlankNode, NamedNode};

    /// The order as first written: each term rendered by `Display`, the
    /// first of equal triples kept, then a stable sort.
    fn sorted_by_display(triples: &[Triple]) -> Vec<Triple> {
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<Triple> = triples.iter().filter(|t| seen.insert((*t).clone())).cloned().collect();
        out.sort_by_cached_key(|t| {
            (t.subject.to_string(), t.predicate != rdf::TYPE, t.predicate.to_string(), t.object.to_string())
        });
        out
    }

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    /// Subjects, predicates and objects chosen so that comparing bare IRIs
    /// and comparing renderings disagree (`<a>` sorts after `<a-b>`, since
    /// `>` is above `-`), with blank nodes, literals of every kind, quotes
    /// and escapes, and repeated triples.
    fn tricky_terms() -> (Vec<NamedOrBlankNode>, Vec<NamedNode>, Vec<Term>) {
        let subjects = vec![
            iri("http://x/a").into(),
            iri("http://x/a-b").into(),
            iri("http://x/a/b").into(),
            iri("http://x/文").into(),
            BlankNode::new_unchecked("b1").into(),
            BlankNode::new_unchecked("a").into(),
        ];
        let predicates = vec![rdf::TYPE.into_owned(), iri("http://x/a"), iri("http://x/a-b"), iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#typ")];
        let objects = vec![
            iri("http://x/a").into(),
            iri("http://x/a.b").into(),
            BlankNode::new_unchecked("z").into(),
            Literal::new_simple_literal("a").into(),
            Literal::new_simple_literal("a\"b\\c\nd").into(),
            Literal::new_simple_literal("").into(),
            Literal::new_language_tagged_literal_unchecked("王堅", "zh-hant").into(),
            Literal::new_language_tagged_literal_unchecked("王堅", "zh-hans").into(),
            Literal::new_typed_literal("12", xsd::NON_NEGATIVE_INTEGER).into(),
            Literal::new_typed_literal("12", xsd::DECIMAL).into(),
            Literal::new_typed_literal("a", xsd::STRING).into(),
            Literal::new_simple_literal("tab\there\r\u{8}\u{c}").into(),
            Literal::new_simple_literal("\u{1}\u{7f}\u{fffe}\u{ffff}\u{fffd}").into(),
            Literal::new_language_tagged_literal_unchecked("引號\"", "zh-hans").into(),
            Literal::new_typed_literal("a\\b", xsd::DECIMAL).into(),
        ];
        (subjects, predicates, objects)
    }

    /// A deterministic pseudo-random pick of triples, repeats included.
    fn scrambled(n: usize, seed: u64) -> Vec<Triple> {
        let (subjects, predicates, objects) = tricky_terms();
        let mut state = seed;
        let mut next = |len: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize % len
        };
        (0..n)
            .map(|_| {
                Triple::new(
                    subjects[next(subjects.len())].clone(),
                    predicates[next(predicates.len())].clone(),
                    objects[next(objects.len())].clone(),
                )
            })
            .collect()
    }

    /// Triples in runs sharing a subject, as the exporter makes them, with
    /// subjects coming back in later runs.
    fn in_runs(runs: usize, seed: u64) -> Vec<Triple> {
        let shuffled = scrambled(runs * 6, seed);
        shuffled
            .chunks(6)
            .flat_map(|chunk| {
                let subject = chunk[0].subject.clone();
                let len = 1 + chunk[1].object.to_string().len() % 6;
                chunk[..len].iter().map(move |t| Triple::new(subject.clone(), t.predicate.clone(), t.object.clone()))
            })
            .collect()
    }

    #[test]
    fn orders_exactly_as_sorting_the_display_renderings() {
        for (n, seed) in [(0, 1), (1, 2), (7, 3), (60, 4), (400, 5), (3000, 6)] {
            for triples in [scrambled(n, seed), in_runs(n / 3, seed)] {
                let mut fast = triples.clone();
                sort_and_dedup(&mut fast);
                assert_eq!(fast, sorted_by_display(&triples), "{n} triples, seed {seed}");
            }
        }
    }

    #[test]
    fn renders_every_term_as_oxrdf_displays_it() {
        let (subjects, predicates, objects) = tricky_terms();
        for s in &subjects {
            let mut out = String::new();
            render_subject(&mut out, s);
            assert_eq!(out, s.to_string());
        }
        for p in &predicates {
            let mut out = String::new();
            render_iri(&mut out, p.as_str());
            assert_eq!(out, p.to_string());
        }
        for o in &objects {
            let mut out = String::new();
            render_term(&mut out, o);
            assert_eq!(out, o.to_string());
        }
    }

    /// What oxigraph's serializer writes for `triples` in `graph`.
    fn serialized_by_oxigraph(triples: &[Triple], graph: Option<&NamedNode>, format: RdfFormat) -> Vec<u8> {
        let mut w = RdfSerializer::from_format(format).for_writer(Vec::new());
        for t in triples {
            match graph {
                Some(g) => w.serialize_quad(t.as_ref().in_graph(g.as_ref())).unwrap(),
                None => w.serialize_triple(t).unwrap(),
            }
        }
        w.finish().unwrap()
    }

    #[test]
    fn writes_the_lines_oxigraphs_serializers_write() {
        let mut triples = in_runs(200, 7);
        let rendered = sort_and_dedup(&mut triples);
        let mut lines = Vec::new();
        rendered.write_lines(None, &mut lines).unwrap();
        assert_eq!(lines, serialized_by_oxigraph(&triples, None, RdfFormat::NTriples));
        let graph = iri("http://x/document/文-1");
        let mut lines = Vec::new();
        rendered.write_lines(Some(graph.as_str()), &mut lines).unwrap();
        assert_eq!(lines, serialized_by_oxigraph(&triples, Some(&graph), RdfFormat::NQuads));
    }

    #[test]
    fn writes_large_graphs_in_blocks_without_losing_a_line() {
        let mut triples: Vec<Triple> = (0..5000)
            .map(|i| Triple::new(iri(&format!("http://x/s{i}")), iri("http://x/p"), Literal::new_simple_literal("o".repeat(i % 40))))
            .collect();
        let rendered = sort_and_dedup(&mut triples);
        let mut lines = Vec::new();
        rendered.write_lines(None, &mut lines).unwrap();
        assert!(lines.len() > 2 * WRITE_BLOCK);
        assert_eq!(lines, serialized_by_oxigraph(&triples, None, RdfFormat::NTriples));
    }

    #[test]
    fn keeps_one_of_each_repeated_triple() {
        let t = Triple::new(iri("http://x/s"), iri("http://x/p"), Literal::new_simple_literal("o"));
        let mut triples = vec![t.clone(), t.clone(), t.clone()];
        sort_and_dedup(&mut triples);
        assert_eq!(triples, vec![t]);
    }

    #[test]
    fn puts_rdf_type_first_among_a_subjects_predicates() {
        let s = iri("http://x/s");
        let mut triples = vec![
            Triple::new(s.clone(), iri("http://a/first-by-name"), iri("http://x/o")),
            Triple::new(s.clone(), rdf::TYPE, iri("http://x/C")),
        ];
        sort_and_dedup(&mut triples);
        assert_eq!(triples[0].predicate, rdf::TYPE);
    }
}
