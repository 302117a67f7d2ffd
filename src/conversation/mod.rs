//! Whole-conversation QA: the conversation format, turns and platform KPIs, conversation checks,
//! and scorecards.
//!
//! ```
//! use zhijian::conversation::Inspector;
//!
//! let inspector = Inspector::with_defaults().unwrap();
//! let line = r#"{"id": "c1", "platform": "taobao", "agent": "a7", "messages": [
//!     {"role": "customer", "at": "2026-11-02T10:00:00+08:00", "text": "在吗，什么时候发货"},
//!     {"role": "agent", "at": "2026-11-02T10:00:40+08:00", "text": "亲，您好，今天下午就发货哦"},
//!     {"role": "customer", "at": "2026-11-02T10:01:00+08:00", "text": "好的"},
//!     {"role": "agent", "at": "2026-11-02T10:01:10+08:00", "text": "祝您购物愉快"}]}"#;
//! let conversation = inspector.parse(&line.replace('\n', "")).unwrap();
//! let score = inspector.score(&conversation);
//! assert_eq!(score.kpis.first_response_seconds, Some(40.0));
//! assert!(score.passed, "{:?}", score.deductions);
//! ```

pub mod checks;
pub mod csv;
pub mod format;
pub mod kpi;
pub mod platform;
pub mod scorecard;
pub mod time;

use std::sync::Arc;

use serde::Serialize;

pub use checks::{CallMetrics, Emotion, Finding};
pub use format::{Conversation, FormatError, Message, Order, OrderEvent, Role};
pub use kpi::{Kpis, Rate, Turn};
pub use platform::Platform;
pub use scorecard::{Item, Scorecard, Selector};

use crate::check::{Checker, Report, Span};
use crate::error::PackError;
use crate::Language;

/// Scores whole conversations: the message checker for agent replies, the customer packs for
/// what customers show, platform profiles for KPIs, and a scorecard.
#[derive(Debug)]
pub struct Inspector {
    agent: Checker,
    customer: Checker,
    platforms: Vec<Platform>,
    /// Index into `platforms` used for every conversation, when set.
    forced_platform: Option<usize>,
    scorecard: Scorecard,
    locale: Language,
}

/// Counts behind an agent's temperament profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tone {
    /// Agent messages checked.
    pub messages: u32,
    /// Messages with a rhetorical or accusing question.
    pub rhetorical: u32,
    /// Messages with a bare imperative.
    pub imperative: u32,
    /// Exclamation marks (! and ！).
    pub exclamation: u32,
}

/// One scorecard line that took or gave points, and the evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deduction {
    /// The scorecard item.
    pub item: String,
    pub name: String,
    /// Points taken (deductions) or given (credits); 0 once the item's `max` is reached.
    pub points: u32,
    pub fatal: bool,
    /// The message (0-based index) the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The flagged characters of that message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub reason: String,
}

/// The result of scoring one conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConversationScore {
    pub id: String,
    pub agent: String,
    pub platform: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The local date the conversation started.
    pub date: Option<String>,
    pub scorecard: String,
    /// 0–100: base − deductions + credit (up to the scorecard's `max_credit`); 0 when fatal.
    pub score: u32,
    pub passed: bool,
    pub fatal: bool,
    pub pass_line: u32,
    pub deductions: Vec<Deduction>,
    pub credits: Vec<Deduction>,
    pub kpis: Kpis,
    pub emotion: Emotion,
    /// Everything the conversation checks found, scored or not.
    pub findings: Vec<Finding>,
    pub tone: Tone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<CallMetrics>,
    pub messages: usize,
}

impl Inspector {
    /// The built-in packs, platform profiles and the `ecommerce` scorecard.
    pub fn with_defaults() -> Result<Inspector, PackError> {
        let scorecard =
            Scorecard::builtin("ecommerce").expect("the ecommerce scorecard is built in")?;
        Ok(Inspector::new(
            Checker::with_default_packs()?,
            Checker::new(crate::defaults::customer_packs()?),
            Platform::builtin()?,
            scorecard,
        ))
    }

    /// An inspector from its parts. `platforms` should include a `generic` profile, used for
    /// conversations of unknown platforms (else the first); an empty list means the built-in
    /// profiles.
    pub fn new(
        agent: Checker,
        customer: Checker,
        platforms: Vec<Platform>,
        scorecard: Scorecard,
    ) -> Inspector {
        // Every conversation needs a profile: with none given, the built-in ones (tested data).
        let platforms = if platforms.is_empty() {
            Platform::builtin().expect("the built-in platform profiles load")
        } else {
            platforms
        };
        Inspector {
            agent,
            customer,
            platforms,
            forced_platform: None,
            scorecard,
            locale: Language::Zh,
        }
    }

    /// Uses one platform profile for every conversation, whatever its `platform` field says.
    pub fn set_platform(&mut self, id: &str) -> Result<(), String> {
        let index = self
            .platforms
            .iter()
            .position(|p| p.id == id)
            .ok_or_else(|| {
                let known: Vec<&str> = self.platforms.iter().map(|p| p.id.as_str()).collect();
                format!("unknown platform {id:?}; known: {}", known.join(", "))
            })?;
        self.forced_platform = Some(index);
        Ok(())
    }

    /// The language of item names and hint messages.
    pub fn set_locale(&mut self, locale: Language) {
        self.locale = locale;
        self.agent.set_locale(Some(locale));
    }

    /// Uses `scorecard` from now on; returns the one it replaces.
    pub fn set_scorecard(&mut self, scorecard: Scorecard) -> Scorecard {
        std::mem::replace(&mut self.scorecard, scorecard)
    }

    /// Goes back to each conversation's own `platform` field (undoes [`Inspector::set_platform`]).
    pub fn clear_platform(&mut self) {
        self.forced_platform = None;
    }

    /// The language of item names and hint messages.
    pub fn locale(&self) -> Language {
        self.locale
    }

    pub fn scorecard(&self) -> &Scorecard {
        &self.scorecard
    }

    pub fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    /// The message checker for agent replies (for rule overrides).
    pub fn checker_mut(&mut self) -> &mut Checker {
        &mut self.agent
    }

    pub fn checker(&self) -> &Checker {
        &self.agent
    }

    /// The checker for customer messages (the customer packs).
    pub fn customer_checker(&self) -> &Checker {
        &self.customer
    }

    /// The profile a conversation is measured with.
    pub fn platform_for(&self, platform: Option<&str>) -> &Platform {
        if let Some(i) = self.forced_platform {
            return &self.platforms[i];
        }
        let find = |id: &str| self.platforms.iter().find(|p| p.id == id);
        platform
            .map(|p| p.to_ascii_lowercase())
            .and_then(|p| match p.as_str() {
                "tmall" | "qianniu" | "淘宝" | "天猫" => find("taobao"),
                "京东" => find("jd"),
                "pinduoduo" | "拼多多" => find("pdd"),
                other => find(other),
            })
            .or_else(|| find("generic"))
            .unwrap_or(&self.platforms[0])
    }

    /// Reads one JSON line of the conversation format.
    pub fn parse(&self, line: &str) -> Result<Conversation, FormatError> {
        Conversation::from_json(line, |p| self.platform_for(p).utc_offset_minutes)
    }

    /// The reports of every message: agent messages through the agent packs (full reports),
    /// customer messages through the customer packs (the categories that fire: anger, complaint,
    /// question, acceptance), nothing for bots and system messages.
    pub fn message_reports<'c>(
        &'c self,
        agent: &'c Checker,
        conversation: &Conversation,
    ) -> Vec<Option<Report<'c>>> {
        conversation
            .messages
            .iter()
            .map(|m| match m.role {
                Role::Agent => Some(agent.check(&m.text)),
                Role::Customer => Some(self.customer.check_categories(&m.text)),
                Role::Bot | Role::System => None,
            })
            .collect()
    }

    /// Scores a conversation.
    pub fn score(&self, conversation: &Conversation) -> ConversationScore {
        self.score_with(&self.agent, conversation)
    }

    /// Scores a conversation with another checker for agent messages (the WebAssembly binding
    /// passes the one its caller configured).
    pub fn score_with(&self, agent: &Checker, conversation: &Conversation) -> ConversationScore {
        let platform = self.platform_for(conversation.platform.as_deref());
        let reports = self.message_reports(agent, conversation);
        let turns = kpi::turns(conversation);
        let mut kpis = kpi::kpis(conversation, &turns, platform);
        let zh = self.locale == Language::Zh;
        let (findings, emotion) = checks::run(conversation, &reports, &turns, platform, zh);
        let card = &self.scorecard;

        let mut tone = Tone::default();
        for (m, r) in conversation.messages.iter().zip(&reports) {
            if m.role != Role::Agent {
                continue;
            }
            tone.messages += 1;
            let r = r.as_ref();
            tone.rhetorical += u32::from(checks::has_strategy(r, &["rhetorical"]));
            tone.imperative += u32::from(checks::has_strategy(r, &["imperative"]));
            tone.exclamation += m.text.chars().filter(|&c| c == '!' || c == '！').count() as u32;
        }

        let mut deductions = Vec::new();
        let mut credits = Vec::new();
        let mut fatal = false;
        for item in &card.items {
            let name = if zh { &item.name_zh } else { &item.name_en };
            let mut evidence: Vec<Deduction> = Vec::new();
            let blank = |reason: String| Deduction {
                item: item.id.clone(),
                name: name.clone(),
                points: 0,
                fatal: item.fatal,
                message: None,
                rule: None,
                check: None,
                kpi: None,
                span: None,
                text: None,
                reason,
            };
            match &item.selector {
                Selector::Message { .. } => {
                    for (i, (m, r)) in conversation.messages.iter().zip(&reports).enumerate() {
                        let (Role::Agent, Some(r)) = (m.role, r) else {
                            continue;
                        };
                        for h in &r.hints {
                            if item.selector.matches_hint(h.rule, h.category, h.severity) {
                                evidence.push(Deduction {
                                    message: Some(i),
                                    rule: Some(h.rule.into()),
                                    span: Some(h.span),
                                    text: Some(h.text.clone()),
                                    ..blank(h.message.to_string())
                                });
                            }
                        }
                    }
                }
                Selector::Check(names) => {
                    for f in findings
                        .iter()
                        .filter(|f| names.iter().any(|n| n == f.check))
                    {
                        evidence.push(Deduction {
                            message: f.message,
                            check: Some(f.check),
                            ..blank(f.detail.clone())
                        });
                    }
                }
                Selector::Kpi { kpi, above, below } => {
                    if let Some(value) = scorecard::kpi_value(&kpis, kpi) {
                        let (hit, line, word) = match (above, below) {
                            (Some(a), _) => (value > *a, *a, if zh { "高于" } else { "above" }),
                            (_, Some(b)) => (value < *b, *b, if zh { "低于" } else { "below" }),
                            _ => (false, 0.0, ""),
                        };
                        if hit {
                            evidence.push(Deduction {
                                kpi: Some(kpi.clone()),
                                ..blank(format!(
                                    "{kpi} = {} ({word} {line})",
                                    checks::round1(value)
                                ))
                            });
                        }
                    }
                }
            }
            let step = item.points.unsigned_abs();
            let cap = item.max.unwrap_or(u32::MAX);
            let mut total = 0u32;
            for mut e in evidence {
                e.points = step.min(cap.saturating_sub(total));
                total += e.points;
                fatal |= item.fatal;
                if item.points > 0 {
                    credits.push(e);
                } else {
                    deductions.push(e);
                }
            }
        }
        let deducted: u32 = deductions.iter().map(|d| d.points).sum();
        let credited: u32 = credits
            .iter()
            .map(|d| d.points)
            .sum::<u32>()
            .min(card.max_credit);
        let score = if fatal {
            0
        } else {
            (i64::from(card.base) - i64::from(deducted) + i64::from(credited)).clamp(0, 100) as u32
        };

        // Rounded for reading; the sums behind them stay exact for aggregation.
        let round = |x: Option<f64>| x.map(checks::round1);
        kpis.first_response_seconds = round(kpis.first_response_seconds);
        kpis.avg_response_seconds = round(kpis.avg_response_seconds);
        kpis.max_response_seconds = round(kpis.max_response_seconds);
        kpis.answer_ratio = kpis.answer_ratio.map(checks::round3);

        let call = conversation
            .is_call
            .then(|| checks::call_metrics(conversation, &findings));
        let started = conversation.started_at();
        ConversationScore {
            id: conversation.id.clone(),
            agent: conversation.agent().to_string(),
            platform: platform.id.clone(),
            shop: conversation.shop.clone(),
            channel: conversation.channel.clone(),
            date: started.map(|t| t.local_date().to_string()),
            scorecard: card.id.clone(),
            score,
            passed: !fatal && score >= card.pass,
            fatal,
            pass_line: card.pass,
            deductions,
            credits,
            kpis,
            emotion,
            findings,
            tone,
            call,
            messages: conversation.messages.len(),
        }
    }
}
