//! Text normalisation with an offset map back to the original, and offset conversion.
//!
//! Rules match against a *view* of the message:
//!
//! - [`View::Raw`]: the text as typed (punctuation and capital-letter rules need it);
//! - [`View::Normal`]: full-width ASCII folded to ASCII, letters lower-cased, traditional
//!   characters simplified, zero-width characters dropped;
//! - [`View::Compact`]: the normal view without separators (spaces, punctuation, symbols, emoji),
//!   and with Chinese numerals as ASCII digits, so that `微 信`, `V-X` and `一三八…` match
//!   `微信`, `vx` and `138…` — for diversion and personal-data rules, where agents evade on purpose.
//!
//! Every character of a view comes from exactly one character of the original, so a match in any
//! view maps back to the exact characters the agent typed.

mod trad_simp;

use std::borrow::Cow;

pub use trad_simp::simplify;

/// Which form of the message a rule is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Raw,
    Normal,
    Compact,
}

/// A normalised view of a text and, for each of its bytes, where in the original the character
/// it came from starts.
///
/// Most Chinese messages need no folding at all (Han characters, Chinese punctuation, lower-case
/// letters): their normal view borrows the original and maps offsets to themselves, without
/// allocating.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    original: &'a str,
    text: Cow<'a, str>,
    /// `origin[b]`: the original byte offset of the character that produced byte `b`; `None`
    /// when the view is the original itself.
    origin: Option<Vec<u32>>,
}

impl<'a> Normalized<'a> {
    /// Builds the normal (`compact == false`) or compact view of `original`.
    pub fn new(original: &'a str, compact: bool) -> Normalized<'a> {
        let normal = Normalized::normal(original);
        if compact {
            normal.compact()
        } else {
            normal
        }
    }

    /// The normal view: width, case and script folded, zero-width characters dropped.
    pub fn normal(original: &'a str) -> Normalized<'a> {
        // This runs on every message: the common cases (ASCII, then Han) come first, and chars
        // are pushed one by one (`String::push` encodes inline; `push_str` of a few bytes calls
        // memcpy).
        let first_change = original.char_indices().find(|&(_, c)| {
            if c.is_ascii() {
                c.is_ascii_uppercase()
            } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                trad_simp::is_traditional(c)
            } else {
                fold_normal(c) != Some(c)
            }
        });
        let Some((unchanged, _)) = first_change else {
            return Normalized {
                original,
                text: Cow::Borrowed(original),
                origin: None,
            };
        };
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        text.push_str(&original[..unchanged]);
        for (start, c) in original[..unchanged].char_indices() {
            push_origin(&mut origin, start, c.len_utf8());
        }
        for (start, c) in original[unchanged..].char_indices() {
            let start = start + unchanged;
            if c.is_ascii() {
                text.push(c.to_ascii_lowercase());
                origin.push(start as u32);
            } else if let Some(folded) = fold_normal(c) {
                text.push(folded);
                push_origin(&mut origin, start, folded.len_utf8());
            }
        }
        Normalized {
            original,
            text: Cow::Owned(text),
            origin: Some(origin),
        }
    }

    /// The compact view, derived from this normal view: separators dropped, numerals as digits.
    pub fn compact(&self) -> Normalized<'a> {
        let mut text = String::with_capacity(self.text.len());
        let mut origin = Vec::with_capacity(self.text.len());
        for (i, c) in self.text.char_indices() {
            let kept = if c.is_ascii_alphanumeric() {
                c
            } else if compact_drops(c) {
                continue;
            } else {
                numeral_digit(c).unwrap_or(c)
            };
            let source = self.origin.as_ref().map_or(i, |o| o[i] as usize);
            text.push(kept);
            push_origin(&mut origin, source, kept.len_utf8());
        }
        Normalized {
            original: self.original,
            text: Cow::Owned(text),
            origin: Some(origin),
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The byte range of this view that holds the characters of `other`'s (non-empty) byte
    /// range, when `other` is a view derived from this one (the compact view of a normal view),
    /// so that every character of `other` comes from one of this view.
    pub fn range_of(&self, other: &Normalized, start: usize, end: usize) -> (usize, usize) {
        let (first, last) = match &other.origin {
            Some(o) => (o[start] as usize, o[end - 1] as usize),
            None => (start, end - 1),
        };
        let at = |original: usize| match &self.origin {
            Some(o) => o.partition_point(|&x| (x as usize) < original),
            None => original,
        };
        let last = at(last);
        let last_len = self.text[last..].chars().next().map_or(1, char::len_utf8);
        (at(first), last + last_len)
    }

    /// Maps a non-empty byte range of the normalised text to the byte range of the original.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.text.len());
        let Some(origin) = &self.origin else {
            return (start, end);
        };
        let last = origin[end - 1] as usize;
        let last_len = self.original[last..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        (origin[start] as usize, last + last_len)
    }
}

/// Maps the `len` bytes of a char just pushed to a view to `source` in the original.
fn push_origin(origin: &mut Vec<u32>, source: usize, len: usize) {
    for _ in 0..len {
        origin.push(source as u32);
    }
}

/// The character the normal view holds for a non-ASCII `c`, or `None` when it drops it.
fn fold_normal(c: char) -> Option<char> {
    // Fast path for the bulk of Chinese text.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return Some(simplify(c));
    }
    if ('\u{3001}'..='\u{303F}').contains(&c) {
        return Some(c);
    }
    if is_zero_width(c) {
        return None;
    }
    let c = fold_width(c);
    let c = if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else if c.is_uppercase() {
        // Only one-to-one lower-casing keeps the map simple; the rest (e.g. 'İ') stays as is.
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    } else {
        simplify(c)
    };
    Some(c)
}

/// Full-width ASCII (U+FF01–FF5E) to ASCII, the ideographic space to a space — except the
/// full-width punctuation of ordinary Chinese writing (，！？：；（）), which stays as typed so
/// that most Chinese messages need no folding at all.
pub fn fold_width(c: char) -> char {
    match c {
        '，' | '！' | '？' | '：' | '；' | '（' | '）' => c,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Chinese numerals and circled digits written instead of digits, as evasions of number filters do.
fn numeral_digit(c: char) -> Option<char> {
    let digit = match c {
        '零' | '〇' | '洞' => '0',
        '一' | '幺' | '壹' | '①' => '1',
        '二' | '两' | '贰' | '②' => '2',
        '三' | '叁' | '③' => '3',
        '四' | '肆' | '④' => '4',
        '五' | '伍' | '⑤' => '5',
        '六' | '陆' | '⑥' => '6',
        '七' | '柒' | '⑦' => '7',
        '八' | '捌' | '⑧' => '8',
        '九' | '玖' | '⑨' => '9',
        _ => return None,
    };
    Some(digit)
}

/// Whether the compact view drops `c` (Han characters are never separators).
pub fn compact_drops(c: char) -> bool {
    !c.is_ascii_alphanumeric() && !is_han(c) && is_separator(c)
}

/// Characters that carry no letters or digits: dropped by the compact view.
pub fn is_separator(c: char) -> bool {
    if c.is_whitespace() || c.is_ascii_punctuation() {
        return true;
    }
    matches!(c,
        '\u{2000}'..='\u{206F}'     // general punctuation
        | '\u{2190}'..='\u{2BFF}'   // arrows, symbols, dingbats (❤ ★ ✓)
        | '\u{3000}'..='\u{303F}'   // CJK punctuation
        | '\u{30FB}'                // katakana middle dot
        | '\u{FE10}'..='\u{FE6F}'   // vertical and small forms
        | '\u{FF01}'..='\u{FF0F}'   // full-width punctuation and symbols
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'   // … and half-width CJK punctuation
        | '\u{00A0}'..='\u{00BF}'   // Latin-1 punctuation and symbols
        | '\u{00D7}' | '\u{00F7}'
        | '\u{1F000}'..='\u{1FAFF}' // emoji and pictographs
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
    )
}

/// Converts byte offsets of one text into char and UTF-16 offsets in a single pass.
///
/// Offsets are collected first and resolved together, so a report with many hints on a long text
/// stays linear in the text's length.
#[derive(Debug, Default)]
pub struct OffsetResolver {
    wanted: Vec<usize>,
}

/// One byte offset expressed in the three units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offset {
    pub byte: usize,
    pub char: usize,
    pub utf16: usize,
}

impl OffsetResolver {
    pub fn with_capacity(n: usize) -> OffsetResolver {
        OffsetResolver {
            wanted: Vec::with_capacity(n),
        }
    }

    pub fn want(&mut self, byte: usize) {
        self.wanted.push(byte);
    }

    /// Resolves every wanted offset; returns them sorted by byte offset, without duplicates.
    pub fn resolve(mut self, text: &str) -> Vec<Offset> {
        self.wanted.sort_unstable();
        self.wanted.dedup();
        let mut out = Vec::with_capacity(self.wanted.len());
        let mut chars = 0;
        let mut utf16 = 0;
        let mut wanted = self.wanted.iter().copied().peekable();
        for (byte, c) in text.char_indices() {
            while let Some(&w) = wanted.peek() {
                if w > byte {
                    break;
                }
                out.push(Offset {
                    byte: w,
                    char: chars,
                    utf16,
                });
                wanted.next();
            }
            chars += 1;
            utf16 += c.len_utf16();
        }
        for w in wanted {
            out.push(Offset {
                byte: w,
                char: chars,
                utf16,
            });
        }
        out
    }
}

/// Looks up a byte offset among resolved offsets.
pub fn find_offset(resolved: &[Offset], byte: usize) -> Offset {
    match resolved.binary_search_by_key(&byte, |o| o.byte) {
        Ok(i) => resolved[i],
        Err(_) => Offset::default(),
    }
}

/// Han characters (CJK Unified Ideographs and extension A), used by language detection and rules.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_view_folds_width_case_and_script() {
        let n = Normalized::new("ＶＸ號碼Ｏｋ", false);
        assert_eq!(n.as_str(), "vx号码ok");
    }

    #[test]
    fn compact_view_drops_separators_and_reads_numerals() {
        let n = Normalized::new("加 微-信：一三八 ❤ 1234", true);
        assert!(n.origin.is_some());
        assert_eq!(n.as_str(), "加微信1381234");
        // 微 starts at byte 4 of the original, 信 ends at byte 11.
        let start = n.as_str().find("微信").unwrap();
        assert_eq!(n.to_original(start, start + "微信".len()), (4, 11));
    }

    #[test]
    fn offsets_count_utf16_units_of_emoji() {
        let text = "😀好的";
        let mut r = OffsetResolver::default();
        r.want(4);
        r.want(text.len());
        let resolved = r.resolve(text);
        assert_eq!(
            resolved[0],
            Offset {
                byte: 4,
                char: 1,
                utf16: 2
            }
        );
        assert_eq!(
            resolved[1],
            Offset {
                byte: 10,
                char: 3,
                utf16: 4
            }
        );
    }

    #[test]
    fn plain_chinese_needs_no_copy() {
        let n = Normalized::normal("亲，这款有货的！请问要什么颜色？");
        assert!(matches!(n.text, Cow::Borrowed(_)) && n.origin.is_none());
        assert_eq!(n.to_original(3, 9), (3, 9));
    }

    #[test]
    fn zero_width_characters_vanish() {
        assert_eq!(Normalized::new("微\u{200B}信", false).as_str(), "微信");
    }
}
