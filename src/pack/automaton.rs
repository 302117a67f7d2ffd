//! The phrase automaton of the WebAssembly build: a leftmost-longest Aho-Corasick automaton
//! built in one pass from the pack's sorted phrases.
//!
//! Native builds use the `aho-corasick` crate's DFA, the fastest scanner for batch review. In the
//! agent's page the automaton is built on every page load, and there the crate's general builder
//! (sparse lists, then a contiguous copy, 2 ms natively) took about 12 ms of a 30 ms start-up:
//! V8 compiles that code on first use and optimises its loops in the background while the page
//! waits. Phrases arrive sorted and distinct, so the trie can be laid out breadth-first in one
//! pass over them, failure links follow in one more, and each state gets a dense row over the
//! byte range of its children. It finds exactly what the crate finds (the tests below compare
//! the two on random text and on every built-in phrase) and is no slower per message
//! (BENCHMARKS.md).
//!
//! States are numbered breadth-first: the children of a state are consecutive and sorted by
//! byte, and a state's failure target always comes before it.

use super::flat::Texts;

/// The state a search stops in: no longer match can follow the one found.
const DEAD: u32 = 0;
/// The start state; it never fails.
const ROOT: u32 = 1;
/// No pattern ends here.
const NO_PATTERN: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct State {
    /// Where this state's row starts in `PhraseAutomaton::next`.
    row: u32,
    /// The row covers bytes `low .. low + len`.
    low: u8,
    len: u16,
    /// The state to continue from when this one has no transition for a byte.
    fail: u32,
    /// The pattern reported on reaching this state: its own, or the longest one that is a
    /// suffix of it (inherited from the failure target).
    pattern: u32,
}

/// Leftmost-longest search over a fixed set of phrases (see the module docs).
#[derive(Debug)]
pub(crate) struct PhraseAutomaton {
    states: Vec<State>,
    /// Rows of transitions: 0 (the dead state, which no transition enters) for none.
    next: Vec<u32>,
    /// Byte length of each pattern.
    pattern_lens: Vec<u32>,
}

impl PhraseAutomaton {
    /// The automaton over `keys`, which must be sorted and distinct and not empty strings (the
    /// packs guarantee it; other input gives wrong matches, never a panic).
    pub fn new(keys: &Texts) -> Result<PhraseAutomaton, String> {
        // State and pattern ids are u32; a state per byte at most, and the dead and root states.
        let total = keys.joined().len();
        if total > (u32::MAX - 2) as usize {
            return Err(format!("{total} bytes of phrases is more than 4 GB"));
        }
        let (parents, bytes, own) = trie(keys);
        let (states, next) = rows(&parents, &bytes, &own);
        let mut automaton = PhraseAutomaton {
            states,
            next,
            pattern_lens: keys.iter().map(|k| k.len() as u32).collect(),
        };
        automaton.link_failures(&parents, &bytes);
        Ok(automaton)
    }

    /// Failure links, breadth-first, with leftmost semantics: once a pattern has matched, the
    /// search must not restart at a later position, so a pattern's state and every state below
    /// it fail to the dead state.
    #[inline(never)]
    fn link_failures(&mut self, parents: &[u32], bytes: &[u8]) {
        for id in ROOT as usize + 1..self.states.len() {
            let parent = parents[id];
            // Until this state is linked, its pattern is its own (if any): none is inherited yet.
            let fail = if self.states[id].pattern != NO_PATTERN {
                DEAD
            } else if parent == ROOT {
                ROOT
            } else {
                let mut f = self.states[parent as usize].fail;
                loop {
                    if f == DEAD {
                        break DEAD;
                    }
                    if let Some(t) = self.transition(f, bytes[id]) {
                        break t;
                    }
                    f = self.states[f as usize].fail;
                }
            };
            let inherited = self.states[fail as usize].pattern;
            let state = &mut self.states[id];
            state.fail = fail;
            if fail != DEAD {
                state.pattern = inherited;
            }
        }
    }

    #[inline]
    fn transition(&self, state: u32, byte: u8) -> Option<u32> {
        let s = &self.states[state as usize];
        let k = usize::from(byte.wrapping_sub(s.low));
        if k < usize::from(s.len) {
            let t = self.next[s.row as usize + k];
            if t != 0 {
                return Some(t);
            }
        }
        None
    }

    /// The leftmost-longest phrase starting at or after byte `at`: `(start, end, pattern)`.
    pub fn find_at(&self, hay: &str, at: usize) -> Option<(usize, usize, usize)> {
        let rest = hay.as_bytes().get(at..)?;
        let mut state = ROOT;
        let mut found = None;
        for (i, &byte) in rest.iter().enumerate() {
            state = loop {
                if let Some(t) = self.transition(state, byte) {
                    break t;
                }
                // The root's row is full: only other states fail.
                state = self.states[state as usize].fail;
                if state == DEAD {
                    return found;
                }
            };
            let pattern = self.states[state as usize].pattern;
            if pattern != NO_PATTERN {
                let end = at + i + 1;
                let len = self.pattern_lens[pattern as usize] as usize;
                found = Some((end - len, end, pattern as usize));
            }
        }
        found
    }
}

/// Each state's row: its children's targets over the byte range they span (the root's over all
/// 256 bytes, staying at the root where there is no child). Failure links are filled in later.
// Each building step is its own function, so that V8, which optimises a function in the
// background once it has run long enough (during the page's first check), takes on only the
// steps that run long rather than one large function holding them all.
#[inline(never)]
fn rows(parents: &[u32], bytes: &[u8], own: &[u32]) -> (Vec<State>, Vec<u32>) {
    let count = parents.len();
    // Children of each state, as the range of their ids: consecutive by construction.
    let mut first_child = vec![0u32; count];
    let mut child_count = vec![0u32; count];
    for id in (ROOT as usize + 1..count).rev() {
        let parent = parents[id] as usize;
        first_child[parent] = id as u32;
        child_count[parent] += 1;
    }
    let mut states = Vec::with_capacity(count);
    let mut next = Vec::with_capacity(count + 256);
    for id in 0..count {
        let (first, n) = (first_child[id] as usize, child_count[id] as usize);
        let (low, len) = if id == ROOT as usize {
            (0, 256)
        } else if n == 0 {
            (0, 0)
        } else {
            let low = bytes[first];
            (low, usize::from(bytes[first + n - 1].wrapping_sub(low)) + 1)
        };
        let row = next.len();
        let empty = if id == ROOT as usize { ROOT } else { 0 };
        next.resize(row + len, empty);
        for (child, &byte) in bytes.iter().enumerate().skip(first).take(n) {
            if let Some(slot) = next.get_mut(row + usize::from(byte.wrapping_sub(low))) {
                *slot = child as u32;
            }
        }
        states.push(State {
            row: row as u32,
            low,
            len: len as u16,
            fail: ROOT,
            pattern: own[id],
        });
    }
    (states, next)
}

/// The trie of sorted, distinct keys, breadth-first: per state its parent, the byte that enters
/// it and the pattern that ends there. State 0 is the dead state, 1 the root.
///
/// At depth `d`, key `i` shares its state with key `i - 1` exactly when their common prefix is at
/// least `d` bytes long (keys between two that share a prefix share it too), so each depth is one
/// pass over the keys, and a parent's children come out consecutive and sorted.
#[inline(never)]
fn trie(keys: &Texts) -> (Vec<u32>, Vec<u8>, Vec<u32>) {
    let (joined, bounds) = (keys.joined().as_bytes(), keys.bounds());
    let common: Vec<usize> = (0..keys.len())
        .map(|i| match i.checked_sub(1) {
            Some(prev) => common_prefix(keys[prev].as_bytes(), keys[i].as_bytes()),
            None => 0,
        })
        .collect();
    let mut parents = Vec::with_capacity(joined.len() + 2);
    let mut bytes = Vec::with_capacity(joined.len() + 2);
    parents.extend([DEAD, DEAD]);
    bytes.extend([0, 0]);
    // The state each key has reached so far, and (as the byte offset where each starts) the
    // keys longer than the depth so far.
    let mut at = vec![ROOT; keys.len()];
    let mut active: Vec<(u32, u32)> = (0..keys.len())
        .filter(|&i| !keys[i].is_empty())
        .map(|i| (i as u32, bounds[i]))
        .collect();
    let mut depth = 1;
    while !active.is_empty() {
        for &(i, key_start) in &active {
            let i = i as usize;
            // common[0] is 0: the first key never shares.
            if common[i] >= depth {
                at[i] = at[i - 1];
            } else {
                parents.push(at[i]);
                bytes.push(joined[key_start as usize + depth - 1]);
                at[i] = (parents.len() - 1) as u32;
            }
        }
        active
            .retain(|&(i, key_start)| bounds[i as usize + 1] as usize > key_start as usize + depth);
        depth += 1;
    }
    // Each key's last state is where it ends.
    let mut own = vec![NO_PATTERN; parents.len()];
    for (i, &state) in at.iter().enumerate() {
        if !keys[i].is_empty() {
            own[state as usize] = i as u32;
        }
    }
    (parents, bytes, own)
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, Input, MatchKind};

    /// The crate's leftmost-longest search, which the automaton must agree with.
    fn crate_find(ac: &AhoCorasick, hay: &str, at: usize) -> Option<(usize, usize, usize)> {
        ac.find(Input::new(hay).range(at..))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    fn agree(keys: &[String], hay: &str) {
        let ours = PhraseAutomaton::new(&keys.iter().collect()).unwrap();
        let theirs = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(keys)
            .unwrap();
        for at in 0..=hay.len() {
            assert_eq!(
                ours.find_at(hay, at),
                crate_find(&theirs, hay, at),
                "keys {keys:?}, text {hay:?} from {at}"
            );
        }
    }

    #[test]
    fn finds_the_longest_phrase_at_the_leftmost_start() {
        let keys = sorted(&["我的", "我的世界", "世界", "不知道", "知道"]);
        let a = PhraseAutomaton::new(&keys.iter().collect()).unwrap();
        let hay = "这是我的世界吗，我不知道";
        let at = |s: &str| hay.find(s).unwrap();
        let id = |k: &str| keys.iter().position(|x| x == k).unwrap();
        assert_eq!(
            a.find_at(hay, 0),
            Some((
                at("我的世界"),
                at("我的世界") + "我的世界".len(),
                id("我的世界")
            ))
        );
        assert_eq!(
            a.find_at(hay, at("世界")),
            Some((at("世界"), at("世界") + "世界".len(), id("世界")))
        );
        assert_eq!(
            a.find_at(hay, at("吗")),
            Some((at("不知道"), hay.len(), id("不知道")))
        );
        assert_eq!(a.find_at(hay, hay.len()), None);
        assert_eq!(a.find_at(hay, hay.len() + 5), None);
        agree(&keys, hay);
    }

    #[test]
    fn agrees_with_the_crate_on_suffixes_and_prefixes() {
        // The textbook cases: a phrase inside a longer one that fails (abce), a suffix that
        // matches before a longer phrase completes, phrases that are prefixes of each other.
        let keys = sorted(&["abcd", "b", "bcx", "c", "cd", "abc", "a", "xyz", "yz"]);
        for hay in [
            "abce", "abcd", "abcx", "xabcdx", "bcbcx", "xyyzxyz", "", "zzz", "aaaa",
        ] {
            agree(&keys, hay);
        }
        agree(&sorted(&["x"]), "xxx");
        agree(&[], "anything");
    }

    #[test]
    fn agrees_with_the_crate_on_random_text() {
        let mut next = crate::xorshift(0x2545_f491_4f6c_dd1d);
        let alphabet = ['a', 'b', 'c', '不', '知', '道', '您'];
        let word = |max: u64, next: &mut dyn FnMut() -> u64| -> String {
            let len = 1 + next() % max;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        };
        for _ in 0..300 {
            let count = 1 + next() % 12;
            let keys: Vec<String> = (0..count).map(|_| word(5, &mut next)).collect();
            let keys = sorted(&keys.iter().map(String::as_str).collect::<Vec<_>>());
            let hay = word(30, &mut next);
            agree(&keys, &hay);
        }
    }

    #[test]
    fn any_keys_and_any_text_give_an_answer_not_a_panic() {
        // The packs only pass sorted, distinct, non-empty keys; anything else must still not
        // panic (a panic in the page kills the module), whatever it finds.
        let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15);
        let pieces = ["", "a", "ab", "b", "您", "您好", "\u{1F600}", "ba", "a"];
        for _ in 0..500 {
            let count = (next() % 8) as usize;
            let keys: Texts = (0..count)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let automaton = PhraseAutomaton::new(&keys).unwrap();
            let hay: String = (0..next() % 12)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            for at in 0..=hay.len() + 1 {
                if let Some((start, end, pattern)) = automaton.find_at(&hay, at) {
                    assert!(at <= start && start <= end && end <= hay.len() && pattern < count);
                }
            }
        }
    }

    #[test]
    fn agrees_with_the_crate_on_the_built_in_phrases() {
        let corpus = include_str!("../../tests/golden/mixed.txt");
        for pack in crate::defaults::packs().unwrap() {
            let Some(index) = &pack.phrases else { continue };
            let ours = PhraseAutomaton::new(&index.keys).unwrap();
            let theirs = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(index.keys.iter())
                .unwrap();
            for line in corpus.lines() {
                for (at, _) in line.char_indices() {
                    assert_eq!(
                        ours.find_at(line, at),
                        crate_find(&theirs, line, at),
                        "{line:?}"
                    );
                }
            }
        }
    }
}
