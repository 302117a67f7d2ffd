//! zhijian (质检, "quality inspection") checks customer-service chat replies the way an
//! e-commerce QA team does: forbidden service phrases and passing the buck, rhetorical and
//! accusing questions, bare imperatives, emotional punctuation, curt brush-offs,
//! advertising-law absolute terms, taking the customer off the platform, risky promises,
//! personal data and insults — and it credits courtesy. Every finding names the exact
//! characters, the rule, why, and a better wording. Chinese first, English second.
//!
//! # Overview
//!
//! Rules are data: TOML packs under `rules/` (format in `rules/README.md`), each rule with its
//! own examples that the test suite enforces. A [`Pack`] compiles once — one leftmost-longest
//! Aho-Corasick automaton for all its phrases, every regex validated, and compiled once on
//! first use — and a
//! [`Checker`] routes each message to the pack of its language. Checking a message normalises it
//! once ([`text`]: width, case, traditional → simplified, separators for evasion-prone rules)
//! with an offset map back to the original, so every [`Hint`] points at what the agent typed, in
//! chars, UTF-16 code units and bytes.
//!
//! # Example
//!
//! ```
//! use zhijian::{Checker, Severity};
//!
//! let checker = Checker::with_default_packs()?;
//! let report = checker.check("这个我不知道，你自己看！！");
//!
//! let hint = &report.hints[0];
//! assert_eq!(hint.rule, "zh/forbidden/dont-know");
//! assert_eq!(hint.text, "不知道");
//! assert_eq!((hint.span.start, hint.span.end), (3, 6)); // chars
//! assert_eq!(hint.severity, Severity::Major);
//! assert_eq!(hint.suggestions[0], "我帮您确认一下");
//! assert!(report.score < 100 && !report.fatal);
//!
//! // Taking the customer to WeChat is fatal, however it is spelled.
//! assert!(checker.check("加我 Ｖ-Ｘ 吧").fatal);
//! # Ok::<(), zhijian::PackError>(())
//! ```
//!
//! A custom pack replaces the built-in pack of its language:
//!
//! ```
//! use zhijian::{Checker, Pack};
//!
//! let pack = Pack::from_sources(&[("shop.toml", r#"
//! [pack]
//! id = "shop"
//! language = "zh"
//! version = "1.0.0"
//!
//! [[rule]]
//! id = "shop/words/no-discount"
//! kind = "phrase"
//! category = "shop"
//! severity = "minor"
//! points = 2
//! message = { zh = "本店不打折", en = "We do not discount" }
//! phrases = ["打折"]
//! hits = [{ text = "可以[[打折]]吗" }]
//! clean = ["有优惠活动"]
//! "#)])?;
//! let checker = Checker::new(vec![pack]);
//! let report = checker.check("能打折吗"); // names and messages borrow from the checker
//! assert_eq!(report.hints[0].rule, "shop/words/no-discount");
//! # Ok::<(), zhijian::PackError>(())
//! ```
//!
//! # Conversations
//!
//! [`conversation::Inspector`] scores whole conversations: turns and the platform KPIs from
//! profiles in `rules/platforms/`, conversation checks (greeting, closing, apology after anger,
//! unanswered questions, repeats, slow turns, the customer's emotion, upsell, call metrics) and a
//! weighted scorecard from `rules/scorecards/` with fatal items, every deduction explained by
//! message, span and reason. [`review`] aggregates scores per agent, day and period, samples
//! conversations for human review and writes the HTML report; `zhijian review` streams files on
//! every core. The format and definitions: `docs/conversations.md`.
//!
//! # Performance
//!
//! Measured by `cargo bench --bench check` on a 2-core machine, over 6,000 mixed Chinese and
//! English replies of about 60 characters, with both default packs (210 rules) loaded: a median
//! of about 4.6 µs per message natively (p99 about 10 µs, 31 MB/s on one core), 5 times a bare
//! Aho-Corasick scan of the same phrases. Time grows linearly with the text. Compiling both
//! packs takes 14–21 ms natively (the phrase automaton is the `aho-corasick` crate's DFA). The
//! WebAssembly loads packs compiled ahead of time ([`Pack::to_compiled`]) and builds its own
//! automaton from their sorted phrases in one pass, which in the page takes a fraction of the
//! crate's builder; both find the same phrases. Each regex is compiled the first time its trigger
//! appears.
//! `cargo bench --bench review` scores about 90,000 conversations per second on both cores in
//! about 50 MB. Figures, method and the WebAssembly side: `BENCHMARKS.md`.
//!
//! A [`Report`] borrows rule ids, categories and messages from the checker's packs, so building
//! one copies none of them; keep the checker alive while you read the report.
//!
//! # Untrusted input
//!
//! Messages are untrusted: checking never panics on any text (empty, megabytes, control
//! characters, lone surrogates arriving as U+FFFD from JavaScript), and the work per message is
//! linear in its length — overlaps are resolved with sorted sweeps, and whole-message facts are
//! computed once. Rule packs are trusted configuration, but a malformed one gives a
//! [`PackError`] naming file, line, rule and field rather than a panic. Regexes come from the
//! regex crate, which guarantees linear-time matching.
//!
//! # Crate features
//!
//! - `cli` (default): the `zhijian` command-line tool (with mimalloc as its allocator). The
//!   WebAssembly builds turn it off (`--no-default-features`).
//! - `conversations` (WebAssembly only): `scoreConversation` and `platforms` in the binding.
//! - `toml-packs` (WebAssembly only): custom packs given from JavaScript as TOML text or objects,
//!   compiled in the page.
//!
//! On `wasm32`, the module `wasm` (src/wasm.rs) adds the JavaScript binding (`Checker`,
//! `applySuggestion`, `customerSignals`). Without the last two features it checks messages with
//! the built-in packs or compiled ones ([`Pack::from_compiled`]) and nothing else: that is
//! `pkg/check`, 301 KB gzipped, for the agent's page; with them it is `pkg/web` and `pkg/node`.

pub mod check;
pub mod conversation;
pub mod defaults;
pub mod error;
pub mod pack;
pub mod review;
pub mod text;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// A xorshift generator with a fixed seed, for the unit tests' random texts: the same texts on
/// every run.
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

use serde::{Deserialize, Serialize};

pub use check::{CategoryScore, Checker, Hint, Marker, Report, Span};
pub use error::PackError;
pub use pack::{Pack, PackInfo, Rule};

/// How serious a finding is. Ordered from most to least serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the message whatever else it does (insults, diversion, personal data).
    Fatal,
    Major,
    Minor,
    Hint,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "fatal" => Some(Severity::Fatal),
            "major" => Some(Severity::Major),
            "minor" => Some(Severity::Minor),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Hint => "hint",
        }
    }
}

/// A message language, and an interface language for hint messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

impl Language {
    pub fn parse(s: &str) -> Option<Language> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "cn" => Some(Language::Zh),
            "en" | "en-us" | "en-gb" => Some(Language::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// Chinese when Han characters are at least a third as many as Latin letters; `None` for a
    /// text with neither (digits, emoji, punctuation).
    pub fn detect(text: &str) -> Option<Language> {
        // A byte loop: this runs on every message, and decoding every char costs several times
        // more. Han characters are all three bytes long in UTF-8 (the ranges of `is_han`).
        let (mut han, mut latin) = (0usize, 0usize);
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                latin += usize::from(b.is_ascii_alphabetic());
                i += 1;
            } else if b < 0xE0 {
                i += 2;
            } else if b < 0xF0 {
                let c = char::from_u32(text::decode3(bytes, i));
                han += usize::from(c.is_some_and(text::is_han));
                i += 3;
                // Decided once the rest could not tip it, even if it were all Latin letters
                // (Chinese messages stop about halfway).
                if han > 0 && han * 3 >= latin + (bytes.len() - i) {
                    return Some(Language::Zh);
                }
            } else {
                i += 4;
            }
        }
        match (han, latin) {
            (0, 0) => None,
            (h, l) if h * 3 >= l => Some(Language::Zh),
            _ => Some(Language::En),
        }
    }
}
