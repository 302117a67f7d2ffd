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

/// A normalised view of a text and a map of where each of its characters comes from in the
/// original.
///
/// The map is a list of *runs*: stretches where view and original advance byte for byte (the
/// same characters, or characters of the same length such as 這→这). A run breaks where the view
/// drops characters or changes a character's length (full-width to ASCII, 一 to 1), so a
/// Chinese message has about as many runs as punctuation marks — far fewer entries than bytes.
///
/// Most Chinese messages need no folding at all (Han characters, Chinese punctuation, lower-case
/// letters): their normal view borrows the original and maps offsets to themselves, without
/// allocating.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    original: &'a str,
    text: Cow<'a, str>,
    /// The runs, sorted: `(view byte, original byte)` where each starts; `None` when the view is
    /// the original itself.
    runs: Option<Vec<(u32, u32)>>,
}

/// Builds the runs of a view as its characters are pushed, in order.
struct Runs(Vec<(u32, u32)>);

impl Runs {
    /// The character (or stretch) at `view` comes from `original`: a new run unless the last
    /// run already says so. Only character starts are ever mapped, so a run may end with a
    /// character that changes length: the next character then starts a new run.
    fn push(&mut self, view: usize, original: usize) {
        let predicted = self.0.last().is_some_and(|&(v, o)| {
            view.checked_sub(v as usize) == original.checked_sub(o as usize)
        });
        if !predicted {
            self.0.push((view as u32, original as u32));
        }
    }
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
        let Some(unchanged) = first_change(original) else {
            return Normalized {
                original,
                text: Cow::Borrowed(original),
                runs: None,
            };
        };
        let mut text = String::with_capacity(original.len());
        let mut runs = Runs(Vec::with_capacity(8));
        text.push_str(&original[..unchanged]);
        runs.push(0, 0);
        let mut at = unchanged;
        while at < original.len() {
            // ASCII a stretch at a time (copied, then lower-cased in place), the rest by char.
            let ascii = original.as_bytes()[at..]
                .iter()
                .position(|b| !b.is_ascii())
                .map_or(original.len(), |n| at + n);
            if ascii > at {
                let from = text.len();
                runs.push(from, at);
                text.push_str(&original[at..ascii]);
                text[from..].make_ascii_lowercase();
                at = ascii;
                continue;
            }
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            if let Some(folded) = fold_normal(c) {
                runs.push(text.len(), at);
                text.push(folded);
            }
            at += c.len_utf8();
        }
        Normalized {
            original,
            text: Cow::Owned(text),
            runs: Some(runs.0),
        }
    }

    /// The compact view, derived from this normal view: separators dropped, numerals as digits.
    pub fn compact(&self) -> Normalized<'a> {
        let normal: &str = &self.text;
        let mut text = String::with_capacity(normal.len());
        let mut runs = Runs(Vec::with_capacity(16));
        let mut source = Cursor::new(self.runs.as_deref());
        // Kept characters are copied a stretch at a time: `kept_from` is where the current
        // stretch began in the normal view.
        let mut kept_from = None;
        let bytes = normal.as_bytes();
        let mut next = 0;
        while next < bytes.len() {
            let i = next;
            let b = bytes[i];
            // The bulk of a message, without decoding: ASCII letters and digits, and Han
            // characters of U+4000–U+9FFF (lead bytes E4–E9, never separators; a few are
            // numerals).
            let digit = if b.is_ascii_alphanumeric() {
                next += 1;
                None
            } else if starts_han_block(b) && i + 2 < bytes.len() {
                next += 3;
                let c = decode3(bytes, i);
                if is_han_numeral(c) {
                    char::from_u32(c).and_then(numeral_digit)
                } else {
                    None
                }
            } else {
                let Some(c) = normal.get(i..).and_then(|t| t.chars().next()) else {
                    break;
                };
                next += c.len_utf8();
                if compact_drops(c) {
                    if let Some(from) = kept_from.take() {
                        source.copy(&mut text, &mut runs, normal, from, i);
                    }
                    continue;
                }
                numeral_digit(c)
            };
            match digit {
                None => {
                    kept_from.get_or_insert(i);
                }
                Some(digit) => {
                    if let Some(from) = kept_from.take() {
                        source.copy(&mut text, &mut runs, normal, from, i);
                    }
                    runs.push(text.len(), source.original(i));
                    text.push(digit);
                }
            }
        }
        if let Some(from) = kept_from {
            source.copy(&mut text, &mut runs, normal, from, normal.len());
        }
        Normalized {
            original: self.original,
            text: Cow::Owned(text),
            runs: Some(runs.0),
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original byte offset of the character starting at `at` in this view.
    fn original_of(&self, at: usize) -> usize {
        self.runs
            .as_deref()
            .map_or(at, |runs| through_runs(runs, at, false))
    }

    /// The byte offset in this view of the character that starts at `original` in the original
    /// (which must have one here).
    fn view_of(&self, original: usize) -> usize {
        self.runs
            .as_deref()
            .map_or(original, |runs| through_runs(runs, original, true))
    }

    /// The start of the character holding byte `at` of this view.
    fn char_start(&self, mut at: usize) -> usize {
        while at > 0 && !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The byte offset in this view of the character that `other`'s character at `start`
    /// comes from, when `other` is derived from this view (see [`Normalized::range_of`]).
    pub fn view_start_of(&self, other: &Normalized, start: usize) -> usize {
        self.view_of(other.original_of(start))
    }

    /// The byte range of this view that holds the characters of `other`'s (non-empty) byte
    /// range, when `other` is a view derived from this one (the compact view of a normal view),
    /// so that every character of `other` comes from one of this view.
    pub fn range_of(&self, other: &Normalized, start: usize, end: usize) -> (usize, usize) {
        let first = self.view_start_of(other, start);
        let last = self.view_of(other.original_of(other.char_start(end - 1)));
        (first, last + char_len_at(&self.text, last))
    }

    /// Maps a non-empty byte range of the normalised text to the byte range of the original.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.text.len());
        if self.runs.is_none() {
            return (start, end);
        }
        let last = self.original_of(self.char_start(end - 1));
        (
            self.original_of(start),
            last + char_len_at(self.original, last),
        )
    }
}

/// Maps `at` through runs of `(view, original)` starts: from the view to the original, or back
/// when `backwards`. Within a run both sides advance together.
fn through_runs(runs: &[(u32, u32)], at: usize, backwards: bool) -> usize {
    let sides = |&(view, original): &(u32, u32)| {
        if backwards {
            (original as usize, view as usize)
        } else {
            (view as usize, original as usize)
        }
    };
    let run = runs.partition_point(|r| sides(r).0 <= at).saturating_sub(1);
    match runs.get(run).map(sides) {
        Some((from, to)) => to + at.saturating_sub(from),
        None => at,
    }
}

/// Reads where a view's characters come from in the original, in increasing order, moving
/// through the view's runs once.
struct Cursor<'r> {
    runs: Option<&'r [(u32, u32)]>,
    /// The run holding the last offset read.
    run: usize,
}

impl<'r> Cursor<'r> {
    fn new(runs: Option<&'r [(u32, u32)]>) -> Cursor<'r> {
        Cursor { runs, run: 0 }
    }

    /// The original offset of the view character starting at `at`.
    fn original(&mut self, at: usize) -> usize {
        let Some(runs) = self.runs else {
            return at;
        };
        while self.run + 1 < runs.len() && runs[self.run + 1].0 as usize <= at {
            self.run += 1;
        }
        match runs.get(self.run) {
            Some(&(view, original)) => original as usize + at.saturating_sub(view as usize),
            None => at,
        }
    }

    /// Appends `view[from..to]` (whole characters) to `text`, with the runs that map it.
    fn copy(&mut self, text: &mut String, runs: &mut Runs, view: &str, from: usize, to: usize) {
        let start = text.len();
        runs.push(start, self.original(from));
        if let Some(view_runs) = self.runs {
            // The view's own run boundaries inside the stretch.
            for &(at, original) in view_runs
                .get(self.run + 1..)
                .unwrap_or_default()
                .iter()
                .take_while(|r| (r.0 as usize) < to)
            {
                runs.push(start + (at as usize - from), original as usize);
            }
        }
        text.push_str(&view[from..to]);
    }
}

/// Where the first character that the normal view changes starts, if any. A byte loop: this
/// runs on every message, and most Chinese messages change nothing.
fn first_change(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let traditional = trad_simp::traditional_bits();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_uppercase() {
                return Some(i);
            }
            i += 1;
        } else if starts_han_block(b) && i + 2 < bytes.len() {
            // U+4000–U+9FFF: Han characters, of which only traditional ones fold.
            let c = decode3(bytes, i);
            if c >= 0x4E00 && trad_simp::is_traditional_in(traditional, c) {
                return Some(i);
            }
            i += 3;
        } else {
            let c = text.get(i..).and_then(|t| t.chars().next())?;
            if fold_normal(c) != Some(c) {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// Whether `b` begins a character of U+4000–U+9FFF (three bytes in UTF-8): the CJK Unified
/// Ideographs and the end of extension A, the bulk of Chinese text. None is a separator.
pub(crate) fn starts_han_block(b: u8) -> bool {
    (0xE4..=0xE9).contains(&b)
}

/// The code point of the three-byte character starting at byte `i` of valid UTF-8.
pub(crate) fn decode3(bytes: &[u8], i: usize) -> u32 {
    (u32::from(bytes[i] & 0x0F) << 12)
        | (u32::from(bytes[i + 1] & 0x3F) << 6)
        | u32::from(bytes[i + 2] & 0x3F)
}

/// The length in bytes of the char starting at byte `at` of `text`, read off its first byte
/// (1 past the end, or inside a char, which callers never ask for).
pub fn char_len_at(text: &str, at: usize) -> usize {
    match text.as_bytes().get(at) {
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(&b) if b >= 0xC0 => 2,
        _ => 1,
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

/// The numerals of [`numeral_digit`] in U+4000–U+9FFF, one bit each, found by asking it about
/// every code point when compiling: the compact view asks about every Han character, and a bit
/// test is cheaper than the match.
static HAN_NUMERAL_BITS: [u64; 384] = {
    let mut bits = [0u64; 384];
    let mut at = 0;
    while at < 384 * 64 {
        if let Some(c) = char::from_u32(0x4000 + at) {
            if numeral_digit(c).is_some() {
                bits[(at / 64) as usize] |= 1 << (at % 64);
            }
        }
        at += 1;
    }
    bits
};

/// Whether the code point `c` of U+4000–U+9FFF may be a numeral.
fn is_han_numeral(c: u32) -> bool {
    let Some(at) = c.checked_sub(0x4000) else {
        return false;
    };
    HAN_NUMERAL_BITS
        .get((at / 64) as usize)
        .is_some_and(|word| word >> (at % 64) & 1 == 1)
}

/// Chinese numerals and circled digits written instead of digits, as evasions of number filters do.
const fn numeral_digit(c: char) -> Option<char> {
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

/// One byte offset expressed in the three units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offset {
    pub byte: usize,
    pub char: usize,
    pub utf16: usize,
}

/// `from` moved forward to byte `to` of `text` (a char boundary at or after `from.byte`;
/// otherwise `from` is returned). Counts bytes rather than decoding chars: every char has one
/// byte that is not a continuation byte, and the chars beyond U+FFFF (four bytes, two UTF-16
/// units) one that is 0xF0 or above. Eight bytes at a time: reports place every hint this way.
pub fn advance(text: &str, from: Offset, to: usize) -> Offset {
    let Some(bytes) = text.as_bytes().get(from.byte..to) else {
        return from;
    };
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LANES: u64 = 0x0101_0101_0101_0101;
    let (mut continuations, mut astral) = (0, 0);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut le = [0; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        // Bit 7 of each byte lane: set for 10xxxxxx (continuation) and for 1111xxxx (lead of a
        // four-byte char). Shifts move a byte's lower bits up to its bit 7; what crosses into
        // the next lane lands below bit 7 and is masked off.
        let continuation = w & !(w << 1) & HIGH;
        let four = w & (w << 1) & (w << 2) & (w << 3) & HIGH;
        // Lanes hold 0 or 1: multiplying sums them into the top byte.
        continuations += ((continuation >> 7).wrapping_mul(LANES) >> 56) as usize;
        astral += ((four >> 7).wrapping_mul(LANES) >> 56) as usize;
    }
    let rest = words.remainder();
    continuations += rest.iter().filter(|&&b| (b as i8) < -0x40).count();
    astral += rest.iter().filter(|&&b| b >= 0xF0).count();
    let chars = bytes.len() - continuations;
    Offset {
        byte: to,
        char: from.char + chars,
        utf16: from.utf16 + chars + astral,
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
        assert!(n.runs.is_some());
        assert_eq!(n.as_str(), "加微信1381234");
        // 微 starts at byte 4 of the original, 信 ends at byte 11.
        let start = n.as_str().find("微信").unwrap();
        assert_eq!(n.to_original(start, start + "微信".len()), (4, 11));
    }

    #[test]
    fn offsets_count_utf16_units_of_emoji() {
        let text = "😀好的";
        let at_good = advance(text, Offset::default(), 4);
        let resolved = [at_good, advance(text, at_good, text.len())];
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
        assert!(matches!(n.text, Cow::Borrowed(_)) && n.runs.is_none());
        assert_eq!(n.to_original(3, 9), (3, 9));
    }

    /// `count` texts of up to `max_len` characters drawn from `palette` (xorshift, fixed seed).
    fn random_texts(palette: &str, count: usize, max_len: u64) -> Vec<String> {
        let palette: Vec<char> = palette.chars().collect();
        let mut next = crate::xorshift(0x2545_F491_4F6C_DD1D);
        (0..count)
            .map(|_| {
                let len = next() % (max_len + 1);
                (0..len)
                    .map(|_| palette[(next() % palette.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// Every character of both views maps back to the one original character it comes from,
    /// whatever mix of folded, dropped and length-changing characters surrounds it.
    #[test]
    fn every_view_character_maps_to_its_source() {
        let palette = "好這一Ａａ１，。 \u{200B}ⱥȺẞ😀微信V-x~！亲二〇";
        for text in random_texts(palette, 2000, 12) {
            let normal = Normalized::normal(&text);
            let compact = normal.compact();
            for view in [&normal, &compact] {
                for (at, c) in view.as_str().char_indices() {
                    let (s, e) = view.to_original(at, at + c.len_utf8());
                    let source = text[s..e].chars().collect::<Vec<_>>();
                    assert_eq!(source.len(), 1, "{text:?}: {c:?} maps to {:?}", &text[s..e]);
                    let folded = fold_normal(source[0]).map(|f| f.to_ascii_lowercase());
                    let expected = folded.map(|f| numeral_digit(f).unwrap_or(f));
                    assert!(
                        folded == Some(c) || expected == Some(c),
                        "{text:?}: {c:?} maps to {:?}",
                        source[0]
                    );
                }
            }
            for (at, c) in compact.as_str().char_indices() {
                let (s, e) = normal.range_of(&compact, at, at + c.len_utf8());
                let from = normal.as_str()[s..e].chars().collect::<Vec<_>>();
                assert_eq!(from.len(), 1, "{text:?}: compact {c:?} comes from {from:?}");
            }
        }
    }

    /// The byte loop of `Language::detect`, early exit included, decides as counting every
    /// char would.
    #[test]
    fn advance_matches_a_plain_count() {
        for text in random_texts("好a 1，😀é㐀ｱ\u{10FFFF}\u{7FF}", 3000, 40) {
            let starts: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (i, &from) in starts.iter().enumerate() {
                let before = &text[..from];
                let at = Offset {
                    byte: from,
                    char: before.chars().count(),
                    utf16: before.encode_utf16().count(),
                };
                for &to in &starts[i..] {
                    let upto = &text[..to];
                    let expected = Offset {
                        byte: to,
                        char: upto.chars().count(),
                        utf16: upto.encode_utf16().count(),
                    };
                    assert_eq!(advance(&text, at, to), expected, "{text:?} {from}..{to}");
                }
            }
        }
    }

    #[test]
    fn language_detection_matches_a_plain_count() {
        use crate::Language;
        for text in random_texts("好的亲abcXYZ 1，。😀é㐀豈ｱ", 5000, 20) {
            let han = text.chars().filter(|&c| is_han(c)).count();
            let latin = text.chars().filter(char::is_ascii_alphabetic).count();
            let expected = match (han, latin) {
                (0, 0) => None,
                (h, l) if h * 3 >= l => Some(Language::Zh),
                _ => Some(Language::En),
            };
            assert_eq!(Language::detect(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn zero_width_characters_vanish() {
        assert_eq!(Normalized::new("微\u{200B}信", false).as_str(), "微信");
    }
}
