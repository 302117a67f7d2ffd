//! zhijian (质检) checks customer-service chat replies: forbidden service phrases, rhetorical and
//! accusing questions, bare imperatives, emotional punctuation, advertising-law terms, taking the
//! customer off the platform, risky promises, personal data and insults — and credits courtesy.
//! Every finding names the exact characters, the rule, why, and a better wording.
//!
//! (Crate guide: see the README; this page is completed in `lib.rs` docs below.)

pub mod check;
pub mod defaults;
pub mod error;
pub mod pack;
pub mod text;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

use serde::{Deserialize, Serialize};

pub use check::{CategoryScore, Checker, Marker, Hint, Report, Span};
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
        let (mut han, mut latin) = (0usize, 0usize);
        for c in text.chars() {
            if text::is_han(c) {
                han += 1;
            } else if c.is_ascii_alphabetic() {
                latin += 1;
            }
        }
        match (han, latin) {
            (0, 0) => None,
            (h, l) if h * 3 >= l => Some(Language::Zh),
            _ => Some(Language::En),
        }
    }
}
