//! Scorecards (`rules/scorecards/*.toml`): weighted items over message rules, conversation checks
//! and KPIs; credit and deduction; fatal items; a pass line.

use serde::Deserialize;

use super::checks::CHECKS;
use super::kpi::Kpis;
use crate::error::PackError;
use crate::Severity;

/// A compiled scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct Scorecard {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Conversations scoring at least this pass (unless fatal).
    pub pass: u32,
    /// The score before deductions.
    pub base: u32,
    /// The most credit items can add.
    pub max_credit: u32,
    pub items: Vec<Item>,
}

/// One line of the scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub selector: Selector,
    /// Points per finding: negative deducts, positive credits.
    pub points: i32,
    /// The most points this item can deduct or credit in one conversation.
    pub max: Option<u32>,
    pub fatal: bool,
}

/// What an item counts.
#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    /// Hints in agent messages: by category and/or rule id (`prefix*` allowed) and/or severity.
    /// Without a severity, `hint`-level markers never count.
    Message {
        categories: Vec<String>,
        rules: Vec<String>,
        severities: Vec<Severity>,
    },
    /// Findings of the conversation checks (`missing-greeting`, `slow-turn`…).
    Check(Vec<String>),
    /// A KPI above or below a line.
    Kpi {
        kpi: String,
        above: Option<f64>,
        below: Option<f64>,
    },
}

impl Selector {
    /// Whether a hint of an agent message counts for this item.
    pub fn matches_hint(&self, rule: &str, category: &str, severity: Severity) -> bool {
        let Selector::Message {
            categories,
            rules,
            severities,
        } = self
        else {
            return false;
        };
        let severity_ok = if severities.is_empty() {
            severity != Severity::Hint
        } else {
            severities.contains(&severity)
        };
        severity_ok
            && (categories.is_empty() || categories.iter().any(|c| c == category))
            && (rules.is_empty()
                || rules.iter().any(|r| match r.strip_suffix('*') {
                    Some(prefix) => rule.starts_with(prefix),
                    None => r == rule,
                }))
    }
}

/// The KPIs an item may refer to, and how to read them as a number.
pub const KPIS: &[&str] = &[
    "first_response_seconds",
    "avg_response_seconds",
    "max_response_seconds",
    "answer_ratio",
    "slow_turns",
    "unanswered_turns",
    "response_rate",
    "answered_in_time",
    "effective_reply",
];

/// The value of a KPI by name (booleans as 1 or 0); `None` when not known.
pub fn kpi_value(kpis: &Kpis, name: &str) -> Option<f64> {
    let flag = |b: Option<bool>| b.map(|b| if b { 1.0 } else { 0.0 });
    match name {
        "first_response_seconds" => kpis.first_response_seconds,
        "avg_response_seconds" => kpis.avg_response_seconds,
        "max_response_seconds" => kpis.max_response_seconds,
        "answer_ratio" => kpis.answer_ratio,
        "slow_turns" => Some(f64::from(kpis.slow_turns)),
        "unanswered_turns" => Some(f64::from(kpis.unanswered_turns)),
        "response_rate" => kpis.response_rate.value(),
        "answered_in_time" => flag(kpis.answered_in_time),
        "effective_reply" => flag(kpis.effective_reply),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScorecard {
    scorecard: RawHeader,
    #[serde(default)]
    item: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    name: Names,
    pass: u32,
    #[serde(default = "hundred")]
    base: u32,
    #[serde(default = "ten")]
    max_credit: u32,
}

fn hundred() -> u32 {
    100
}
fn ten() -> u32 {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    name: Names,
    category: Option<OneOrMany>,
    rule: Option<OneOrMany>,
    severity: Option<OneOrMany>,
    check: Option<OneOrMany>,
    kpi: Option<String>,
    above: Option<f64>,
    below: Option<f64>,
    deduct: Option<u32>,
    credit: Option<u32>,
    max: Option<u32>,
    #[serde(default)]
    fatal: bool,
}

impl Scorecard {
    /// Reads and validates a scorecard; errors name the file, the item and the field.
    pub fn from_toml(file: &str, text: &str) -> Result<Scorecard, PackError> {
        let raw: RawScorecard = toml::from_str(text).map_err(|e| PackError {
            file: file.to_string(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            rule: None,
            field: None,
            reason: e.message().to_string(),
        })?;
        let mut items = Vec::with_capacity(raw.item.len());
        for item in raw.item {
            let err = |field: &str, reason: String| PackError {
                file: file.to_string(),
                line: None,
                rule: Some(format!("item {}", item.id)),
                field: Some(field.to_string()),
                reason,
            };
            if items.iter().any(|i: &Item| i.id == item.id) {
                return Err(err("id", "duplicate item id".into()));
            }
            let message_fields =
                item.category.is_some() || item.rule.is_some() || item.severity.is_some();
            let kinds = usize::from(message_fields)
                + usize::from(item.check.is_some())
                + usize::from(item.kpi.is_some());
            if kinds != 1 {
                return Err(err(
                    "category",
                    "an item counts exactly one of: message hints (category / rule / severity), `check`, or `kpi`".into(),
                ));
            }
            let selector = if let Some(check) = item.check {
                let checks = check.into_vec();
                if let Some(unknown) = checks.iter().find(|c| !CHECKS.contains(&c.as_str())) {
                    return Err(err(
                        "check",
                        format!("unknown check {unknown:?}; known: {}", CHECKS.join(", ")),
                    ));
                }
                Selector::Check(checks)
            } else if let Some(kpi) = item.kpi {
                if !KPIS.contains(&kpi.as_str()) {
                    return Err(err(
                        "kpi",
                        format!("unknown KPI {kpi:?}; known: {}", KPIS.join(", ")),
                    ));
                }
                if item.above.is_none() == item.below.is_none() {
                    return Err(err(
                        "above",
                        "a KPI item needs exactly one of `above` or `below`".into(),
                    ));
                }
                Selector::Kpi {
                    kpi,
                    above: item.above,
                    below: item.below,
                }
            } else {
                let mut severities = Vec::new();
                for s in item.severity.map(OneOrMany::into_vec).unwrap_or_default() {
                    severities.push(Severity::parse(&s).ok_or_else(|| {
                        err(
                            "severity",
                            format!("unknown severity {s:?} (fatal, major, minor, hint)"),
                        )
                    })?);
                }
                Selector::Message {
                    categories: item.category.map(OneOrMany::into_vec).unwrap_or_default(),
                    rules: item.rule.map(OneOrMany::into_vec).unwrap_or_default(),
                    severities,
                }
            };
            if (item.above.is_some() || item.below.is_some())
                && !matches!(selector, Selector::Kpi { .. })
            {
                return Err(err("above", "`above` and `below` are for KPI items".into()));
            }
            let points = match (item.deduct, item.credit) {
                (Some(d), None) => -(d.min(1000) as i32),
                (None, Some(c)) => c.min(1000) as i32,
                (None, None) if item.fatal => 0,
                (None, None) => {
                    return Err(err(
                        "deduct",
                        "give `deduct` or `credit` (or `fatal = true`)".into(),
                    ))
                }
                (Some(_), Some(_)) => {
                    return Err(err("credit", "give `deduct` or `credit`, not both".into()))
                }
            };
            if item.fatal && points > 0 {
                return Err(err("fatal", "a credit item cannot be fatal".into()));
            }
            items.push(Item {
                id: item.id,
                name_zh: item.name.zh,
                name_en: item.name.en,
                selector,
                points,
                max: item.max,
                fatal: item.fatal,
            });
        }
        Ok(Scorecard {
            id: raw.scorecard.id,
            name_zh: raw.scorecard.name.zh,
            name_en: raw.scorecard.name.en,
            pass: raw.scorecard.pass,
            base: raw.scorecard.base,
            max_credit: raw.scorecard.max_credit,
            items,
        })
    }

    /// A built-in scorecard by id (`ecommerce`).
    pub fn builtin(id: &str) -> Option<Result<Scorecard, PackError>> {
        crate::defaults::scorecard_sources()
            .iter()
            .find(|(name, _)| *name == id)
            .map(|(name, text)| {
                Scorecard::from_toml(&format!("rules/scorecards/{name}.toml"), text)
            })
    }
}
