//! The rule-pack file format as serde types: what a rule author writes (see `rules/README.md`).
//!
//! Everything here is plain data; compiling a [`super::Pack`] validates it and builds the matchers.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::text::View;
use crate::Severity;

/// One TOML file of a pack: an optional `[pack]` header, optional `[defaults]`, and rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub pack: Option<PackHeader>,
    #[serde(default)]
    pub defaults: RuleDefaults,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// `[pack]`: what the pack is, and how its scores are made.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackHeader {
    pub id: String,
    /// `zh` or `en`: the language of the messages the pack checks.
    pub language: String,
    pub version: String,
    #[serde(default)]
    pub name: String,
    /// The most credit (加分) courtesy can add back to a message's score.
    #[serde(default = "default_max_credit")]
    pub max_credit: u32,
    #[serde(default)]
    pub politeness: PolitenessSpec,
}

fn default_max_credit() -> u32 {
    10
}

/// `[pack.politeness]`: a logistic model over the strategies found in a message.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolitenessSpec {
    #[serde(default)]
    pub intercept: f64,
    /// Weight per strategy name (the `strategy` field of rules).
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Where the weights came from (a fitting script and its figures, or "hand-set").
    #[serde(default)]
    pub source: String,
}

/// `[defaults]`: values for the rules of this file that do not set them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDefaults {
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    pub points: Option<u32>,
    pub view: Option<View>,
    pub whole_message: Option<bool>,
}

/// How a rule finds its matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Any of `phrases` (existence); `suggest` applies to all of them.
    Phrase,
    /// Each key of `replace` is a phrase with its own better wordings.
    Substitution,
    /// A regular expression (`pattern`).
    Pattern,
    /// A measurement of the message (`metric`): punctuation runs, shouting, counts.
    Metric,
    /// A courtesy or politeness-strategy marker (phrases or a pattern): adds credit.
    Marker,
}

/// One `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    /// Points deducted (credited, for markers) when the rule fires, once per message.
    pub points: Option<u32>,
    pub message: Option<Messages>,
    #[serde(default)]
    pub phrases: Vec<String>,
    #[serde(default)]
    pub replace: BTreeMap<String, Vec<String>>,
    pub pattern: Option<String>,
    pub metric: Option<MetricSpec>,
    /// Better wordings that replace the matched characters; `$1` etc. refer to pattern groups.
    #[serde(default)]
    pub suggest: Vec<String>,
    /// Phrases that contain or overlap a match and make it acceptable (最近 for 最).
    #[serde(default)]
    pub exceptions: Vec<String>,
    /// The rule does not fire when the message contains any of these (请, 麻烦 for imperatives).
    #[serde(default)]
    pub unless: Vec<String>,
    /// The rule does not fire when one of these stands within the 12 characters before the match.
    #[serde(default)]
    pub not_after: Vec<String>,
    /// Latin phrases match whole words only (default true): `av` is not in `have`.
    pub whole_word: Option<bool>,
    /// The phrase must be the whole message, punctuation aside (curt brush-offs: 嗯, 哦).
    pub whole_message: Option<bool>,
    pub view: Option<View>,
    /// Phrases a message must contain for `pattern` to be tried at all (found by the same phrase
    /// scan). Usually derived from the pattern's literal prefixes; give them when the pattern
    /// starts with a class or an anchor.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// A check on the matched characters: `luhn`, `cn-id`.
    pub validate: Option<Validator>,
    /// The politeness strategy this rule marks (a feature of the politeness model).
    pub strategy: Option<String>,
    /// Texts in which the rule fires once, at the characters inside `[[` `]]`.
    #[serde(default)]
    pub hits: Vec<HitExample>,
    /// Texts in which the rule must not fire.
    #[serde(default)]
    pub clean: Vec<String>,
}

/// A message in both interface languages.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub zh: std::sync::Arc<str>,
    pub en: std::sync::Arc<str>,
}

/// An example that must fire the rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HitExample {
    pub text: String,
    /// The suggestion expected among the hint's suggestions; applying it must clear the rule.
    pub fix: Option<String>,
}

/// `metric = { type = "...", ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum MetricSpec {
    /// Runs of `min` or more characters from `chars` (！！, ？？, 。。。).
    PunctuationRun { chars: String, min: usize },
    /// Consecutive words in capitals with at least `min_letters` letters in all.
    Shouting { min_letters: usize },
    /// At least `min` characters from `chars` anywhere in the message.
    Count { chars: String, min: usize },
}

/// Checks that confirm a pattern match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// The Luhn checksum of payment card numbers.
    Luhn,
    /// The checksum of an 18-character PRC resident identity card number (GB 11643).
    CnId,
}
