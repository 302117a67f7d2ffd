//! Many short lists kept end to end, in one allocation, for the phrase index.
//!
//! A pack has about a thousand phrases, each with its rules and the shorter phrases it starts
//! with. Held as a `String` and a `Vec` each, loading one pack made some five thousand
//! allocations; in the agent's page that was a sixth of start-up, the allocator's code being
//! compiled and then optimised while the page waited for its first check (BENCHMARKS.md).

use std::ops::Index;

/// Lists of `T`: list `i` is `items[ends[i - 1]..ends[i]]`.
#[derive(Debug)]
pub(crate) struct Lists<T> {
    items: Vec<T>,
    ends: Vec<u32>,
}

impl<T> Lists<T> {
    pub fn with_capacity(lists: usize) -> Lists<T> {
        Lists {
            items: Vec::with_capacity(lists),
            ends: Vec::with_capacity(lists),
        }
    }

    /// Adds an item to the list being built.
    pub fn push_item(&mut self, item: T) {
        self.items.push(item);
    }

    /// Ends the list being built (which may be empty).
    pub fn end_list(&mut self) {
        self.ends.push(self.items.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every item of every list.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &[T]> {
        (0..self.len()).map(|i| &self[i])
    }
}

impl<T> Index<usize> for Lists<T> {
    type Output = [T];

    fn index(&self, i: usize) -> &[T] {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        &self.items[start..self.ends[i] as usize]
    }
}

impl<T, L: IntoIterator<Item = T>> FromIterator<L> for Lists<T> {
    fn from_iter<I: IntoIterator<Item = L>>(lists: I) -> Lists<T> {
        let mut out = Lists::with_capacity(0);
        for list in lists {
            out.items.extend(list);
            out.end_list();
        }
        out
    }
}

/// Strings end to end: string `i` is `text[ends[i - 1]..ends[i]]`.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    pub fn with_capacity(strings: usize) -> Texts {
        Texts {
            text: String::new(),
            ends: Vec::with_capacity(strings),
        }
    }

    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| &self[i])
    }

    /// All the strings, end to end.
    #[cfg(any(target_arch = "wasm32", test))]
    pub fn joined(&self) -> &str {
        &self.text
    }

    /// Where each string ends in [`Texts::joined`].
    #[cfg(any(target_arch = "wasm32", test))]
    pub fn ends(&self) -> &[u32] {
        &self.ends
    }
}

impl Index<usize> for Texts {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        &self.text[start..self.ends[i] as usize]
    }
}

impl<S: AsRef<str>> FromIterator<S> for Texts {
    fn from_iter<I: IntoIterator<Item = S>>(strings: I) -> Texts {
        let mut out = Texts::default();
        for s in strings {
            out.push(s.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_texts_give_back_what_was_put_in() {
        let lists: Lists<u8> = [vec![1, 2], vec![], vec![3]].into_iter().collect();
        assert_eq!(lists.len(), 3);
        assert_eq!(lists.iter().collect::<Vec<_>>(), [&[1, 2][..], &[], &[3]]);
        assert_eq!(lists.items(), [1, 2, 3]);
        let texts: Texts = ["您好", "", "a"].into_iter().collect();
        assert_eq!(texts.iter().collect::<Vec<_>>(), ["您好", "", "a"]);
        assert!(!texts.is_empty() && Texts::default().is_empty());
    }
}
