//! Many short lists kept end to end, in one allocation, for the phrase index.
//!
//! A pack has about a thousand phrases, each with its rules and the shorter phrases it starts
//! with. Held as a `String` and a `Vec` each, loading the Chinese pack made 6,600 allocations;
//! with these lists it makes 3,100. In the agent's page every allocation runs the allocator's
//! code, which V8 compiles, and optimises in the background once it has run often enough, while
//! the page waits for its first check.

use std::ops::Index;

/// Lists of `T`: list `i` is `items[start..end]` for `(start, end) = spans[i]`.
#[derive(Debug)]
pub(crate) struct Lists<T> {
    items: Vec<T>,
    spans: Vec<(u32, u32)>,
}

impl<T> Lists<T> {
    pub fn with_capacity(lists: usize) -> Lists<T> {
        Lists {
            items: Vec::with_capacity(lists),
            spans: Vec::with_capacity(lists),
        }
    }

    /// Adds an item to the list being built.
    pub fn push_item(&mut self, item: T) {
        self.items.push(item);
    }

    /// Ends the list being built (which may be empty).
    pub fn end_list(&mut self) {
        let start = self.spans.last().map_or(0, |&(_, end)| end);
        self.spans.push((start, self.items.len() as u32));
    }

    pub fn len(&self) -> usize {
        self.spans.len()
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
        let (start, end) = self.spans[i];
        &self.items[start as usize..end as usize]
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

/// Strings end to end: string `i` is `text[bounds[i]..bounds[i + 1]]`.
#[derive(Debug)]
pub(crate) struct Texts {
    text: String,
    /// Where each string starts, and then where the last one ends: `[0, …]`.
    bounds: Vec<u32>,
}

impl Default for Texts {
    fn default() -> Texts {
        Texts::with_capacity(0)
    }
}

impl Texts {
    pub fn with_capacity(strings: usize) -> Texts {
        let mut bounds = Vec::with_capacity(strings + 1);
        bounds.push(0);
        Texts {
            text: String::new(),
            bounds,
        }
    }

    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.bounds.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| &self[i])
    }

    /// String `i` as bytes: no check that it starts and ends on a character, which it does.
    pub fn bytes(&self, i: usize) -> &[u8] {
        &self.text.as_bytes()[self.bounds[i] as usize..self.bounds[i + 1] as usize]
    }

    /// All the strings, end to end.
    #[cfg(any(target_arch = "wasm32", test))]
    pub fn joined(&self) -> &str {
        &self.text
    }

    /// Where each string starts in [`Texts::joined`], and then where the last one ends.
    #[cfg(any(target_arch = "wasm32", test))]
    pub fn bounds(&self) -> &[u32] {
        &self.bounds
    }
}

impl Index<usize> for Texts {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        &self.text[self.bounds[i] as usize..self.bounds[i + 1] as usize]
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
