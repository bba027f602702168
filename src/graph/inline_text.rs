//! A string of a few bytes held in place, for the merge's per-node records
//! ([`super::merge_view`], [`super::node_keys`]): comparing with it reads
//! the record alone, not an allocation of the string's own.

/// A string of up to `ROOM` bytes, held in place, or the mark of a longer
/// one, which is not held.
#[derive(Clone, Copy, Debug)]
pub(super) struct InlineText<const ROOM: usize> {
    /// The length, or [`InlineText::TOO_LONG`].
    len: u8,
    bytes: [u8; ROOM],
}

impl<const ROOM: usize> InlineText<ROOM> {
    const TOO_LONG: u8 = u8::MAX;

    /// `text` held in place, or the mark of a text too long to hold.
    pub(super) fn of(text: &str) -> InlineText<ROOM> {
        const { assert!(ROOM < u8::MAX as usize, "a length fits below the mark") };
        let mut held = InlineText { len: Self::TOO_LONG, bytes: [0; ROOM] };
        if text.len() <= ROOM {
            held.len = text.len() as u8;
            held.bytes[..text.len()].copy_from_slice(text.as_bytes());
        }
        held
    }

    /// The bytes of the text, if it is held.
    pub(super) fn bytes(&self) -> Option<&[u8]> {
        (self.len != Self::TOO_LONG).then(|| &self.bytes[..usize::from(self.len)])
    }

    /// Whether the text is `text`, or `None` for a text too long to hold.
    pub(super) fn is(&self, text: &str) -> Option<bool> {
        self.bytes().map(|held| held == text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_held_exactly_up_to_the_room_and_not_beyond() {
        for n in 0..=8 {
            let text = "長".repeat(n);
            let held = InlineText::<12>::of(&text);
            if text.len() <= 12 {
                assert_eq!(held.bytes(), Some(text.as_bytes()));
                assert_eq!(held.is(&text), Some(true));
                assert_eq!(held.is(&format!("{text}x")), Some(false));
            } else {
                assert_eq!((held.bytes(), held.is(&text)), (None, None));
            }
        }
    }
}
