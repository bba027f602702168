//! The resolver's per-document working tables, kept per thread and reused
//! from one document to the next.
//!
//! Every document needs a coverage count per character, an index of its
//! nodes by key hash, a flag per node and the list of its stops. Made
//! afresh, each was an allocation (most of them zeroed) and, a batch of
//! documents later, a free; the memory handed out was often cold, so the
//! zeroing missed the cache line by line. Reused, the tables are cleared
//! in memory the previous document has just touched. Nothing of one
//! document is read by the next: every table is cleared (or sized and
//! zeroed) before use, so the result does not depend on which thread
//! resolved which document before.

use super::key_index::KeyIndex;
use super::stops::{Stop, StopChars};
use std::cell::RefCell;

/// The reusable tables (empty, and allocated only once used).
#[derive(Default)]
pub(super) struct Scratch {
    /// [`super::Coverage`]'s counts.
    pub coverage: Vec<u16>,
    /// The node builder's index.
    pub key_index: KeyIndex,
    /// The node builder's full-form flags.
    pub has_full_form: Vec<bool>,
    /// The stop characters, with their table. (None until the thread's
    /// first document: the table is allocated once, not per take.)
    pub stop_chars: Option<StopChars>,
    /// The stops of the document.
    pub stops: Vec<Stop>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Scratch {
    /// This thread's tables, taken for one document (a nested call, which
    /// the resolver never makes, would get fresh ones).
    pub(super) fn take() -> Scratch {
        SCRATCH.take()
    }

    /// Gives the tables back for the next document of this thread.
    pub(super) fn give_back(self) {
        SCRATCH.set(self);
    }
}
