//! A list that holds a single item in place and allocates only for two or
//! more.
//!
//! Most nodes of a document are mentioned once, and a listed node is
//! listed in one gazetteer entry. A `Vec` of one item cost an allocation,
//! a write into a block of its own, and, when the document was dropped
//! (long after, on a cold cache), a free that touched that block again:
//! for about every node of every document. Held in place, the item is
//! written with the node and goes with it.
//!
//! The list reads as a slice (`Deref`), so its readers index, iterate and
//! compare it as they did the `Vec`.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// Zero or more items; one is held in place (see the module doc).
#[derive(Clone)]
pub struct SmallList<T>(Repr<T>);

#[derive(Clone)]
enum Repr<T> {
    One(T),
    /// None (without an allocation), or two and more.
    Many(Vec<T>),
}

impl<T> SmallList<T> {
    /// An empty list (no allocation).
    pub const fn new() -> SmallList<T> {
        SmallList(Repr::Many(Vec::new()))
    }

    /// Appends `item`. The second item moves both into a vector with room
    /// for four, as a `Vec` of one grows.
    #[inline]
    pub fn push(&mut self, item: T) {
        match &mut self.0 {
            Repr::Many(items) if items.capacity() > 0 => items.push(item),
            Repr::Many(_) => self.0 = Repr::One(item),
            Repr::One(_) => self.push_second(item),
        }
    }

    /// [`SmallList::push`] onto a list of one, out of line: few nodes of a
    /// document are mentioned twice.
    #[cold]
    fn push_second(&mut self, item: T) {
        let Repr::One(first) = std::mem::replace(&mut self.0, Repr::Many(Vec::new())) else { unreachable!("a list of one") };
        let mut items = Vec::with_capacity(4);
        items.push(first);
        items.push(item);
        self.0 = Repr::Many(items);
    }
}

impl<T> Default for SmallList<T> {
    fn default() -> SmallList<T> {
        SmallList::new()
    }
}

impl<T> Deref for SmallList<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::One(item) => std::slice::from_ref(item),
            Repr::Many(items) => items,
        }
    }
}

impl<T> DerefMut for SmallList<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.0 {
            Repr::One(item) => std::slice::from_mut(item),
            Repr::Many(items) => items,
        }
    }
}

impl<T> From<Vec<T>> for SmallList<T> {
    fn from(items: Vec<T>) -> SmallList<T> {
        SmallList(Repr::Many(items))
    }
}

impl<T> FromIterator<T> for SmallList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> SmallList<T> {
        let mut list = SmallList::new();
        list.extend(items);
        list
    }
}

impl<T> Extend<T> for SmallList<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.push(item);
        }
    }
}

/// The items by value, in order.
pub type IntoIter<T> = std::iter::Chain<std::option::IntoIter<T>, std::vec::IntoIter<T>>;

impl<T> IntoIterator for SmallList<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        match self.0 {
            Repr::One(item) => Some(item).into_iter().chain(Vec::new()),
            Repr::Many(items) => None.into_iter().chain(items),
        }
    }
}

impl<'a, T> IntoIterator for &'a SmallList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> std::slice::Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut SmallList<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> std::slice::IterMut<'a, T> {
        self.iter_mut()
    }
}

/// Equal when the items are, however they are held.
impl<T: PartialEq> PartialEq for SmallList<T> {
    fn eq(&self, other: &SmallList<T>) -> bool {
        **self == **other
    }
}

impl<T: Eq> Eq for SmallList<T> {}

/// Printed as the slice (and so as the `Vec` it replaces).
impl<T: fmt::Debug> fmt::Debug for SmallList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of building, changing and reading a list gives what the
    /// same steps give on a `Vec`: pushes one by one, extends, collects,
    /// conversion from a `Vec`, writes through the slice, iteration by
    /// reference and by value, equality and the printed form.
    #[test]
    fn a_small_list_reads_and_changes_as_a_vec_does() {
        let mut random = crate::test_random::xorshift32(0x5a11);
        for _ in 0..2000 {
            let (mut list, mut vec): (SmallList<String>, Vec<String>) = match random() % 3 {
                0 => (SmallList::new(), Vec::new()),
                1 => {
                    let v: Vec<String> = (0..random() % 3).map(|k| k.to_string()).collect();
                    (SmallList::from(v.clone()), v)
                }
                _ => {
                    let v: Vec<String> = (0..random() % 3).map(|k| k.to_string()).collect();
                    (v.iter().cloned().collect(), v)
                }
            };
            for step in 0..random() % 6 {
                match random() % 3 {
                    0 => {
                        list.push(format!("p{step}"));
                        vec.push(format!("p{step}"));
                    }
                    1 => {
                        let more: Vec<String> = (0..random() % 3).map(|k| format!("e{step}.{k}")).collect();
                        list.extend(more.clone());
                        vec.extend(more);
                    }
                    _ => {
                        if let (Some(a), Some(b)) = (list.first_mut(), vec.first_mut()) {
                            a.push('!');
                            b.push('!');
                        }
                    }
                }
                assert_eq!(&*list, vec.as_slice());
            }
            assert_eq!(list.len(), vec.len());
            assert_eq!((&list).into_iter().collect::<Vec<_>>(), vec.iter().collect::<Vec<_>>());
            assert_eq!(format!("{list:?}"), format!("{vec:?}"));
            assert_eq!(list, SmallList::from(vec.clone()));
            assert_eq!(list.clone().into_iter().collect::<Vec<_>>(), vec);
        }
    }

    /// One item is held without an allocation, so a list of one is no
    /// larger than the item beside a vector's room.
    #[test]
    fn one_item_is_held_in_place() {
        let mut list: SmallList<String> = SmallList::new();
        list.push("一".to_string());
        assert!(matches!(list.0, Repr::One(_)));
        list.push("二".to_string());
        assert!(matches!(&list.0, Repr::Many(items) if items.capacity() == 4));
    }
}
