//! Turns and the platform KPIs, computed exactly as `shared/docs/domain.md` defines them.
//!
//! A turn starts at the customer's first message after the agent last spoke and ends at the
//! agent's first real reply: a second customer message before the reply does not start a new
//! turn, and bot replies do not end one. Windows are judged by the time a turn (or session)
//! starts, in the conversation's local time.

use serde::Serialize;

use super::format::{Conversation, OrderEvent, Role};
use super::platform::Platform;
use super::time::Timestamp;

/// One customer turn.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    /// Index of the customer message that opened the turn.
    pub opened_by: usize,
    /// Index of the agent's reply that ended it; `None` when it was never answered.
    pub reply: Option<usize>,
    /// Seconds from the opening message to the reply (when both are timed).
    pub reply_seconds: Option<f64>,
    pub start: Option<Timestamp>,
}

/// The turns of a conversation.
pub fn turns(conversation: &Conversation) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, m) in conversation.messages.iter().enumerate() {
        match m.role {
            Role::Customer if open.is_none() => {
                open = Some(turns.len());
                turns.push(Turn {
                    opened_by: i,
                    reply: None,
                    reply_seconds: None,
                    start: m.at,
                });
            }
            Role::Agent => {
                if let Some(t) = open.take() {
                    let turn = &mut turns[t];
                    turn.reply = Some(i);
                    turn.reply_seconds = match (turn.start, m.at) {
                        (Some(a), Some(b)) => Some(a.seconds_until(b).max(0.0)),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
    }
    turns
}

/// A share: how many of how many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rate {
    pub hits: u32,
    pub total: u32,
}

impl Rate {
    pub fn value(self) -> Option<f64> {
        (self.total > 0).then(|| f64::from(self.hits) / f64::from(self.total))
    }
    pub fn add(&mut self, other: Rate) {
        self.hits += other.hits;
        self.total += other.total;
    }
}

/// The KPIs of one conversation. Fields are `None` when the data cannot tell (no timestamps, no
/// turn in the window, no order data).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Kpis {
    /// 首次响应时间: from the customer's first message to the first human reply.
    pub first_response_seconds: Option<f64>,
    /// 平均响应时间: mean over turns starting in the window, each capped; unanswered = cap.
    pub avg_response_seconds: Option<f64>,
    /// The sum and count behind `avg_response_seconds`, for aggregation.
    #[serde(skip)]
    pub avg_response_sum: f64,
    #[serde(skip)]
    pub avg_response_turns: u32,
    /// N分钟响应率: turns in the window answered within the profile's limit.
    pub response_rate: Rate,
    /// N秒应答率: whether the session was answered in time; `None` when excluded by the window.
    pub answered_in_time: Option<bool>,
    /// 有效回复率: whether this buyer counts as answered; `None` when they asked nothing in the
    /// window.
    pub effective_reply: Option<bool>,
    /// 答问比: agent messages / customer messages.
    pub answer_ratio: Option<f64>,
    /// 慢响应: answered turns slower than the profile's line.
    pub slow_turns: u32,
    pub turns: u32,
    pub unanswered_turns: u32,
    /// The slowest answered turn.
    pub max_response_seconds: Option<f64>,
    pub customer_messages: u32,
    pub agent_messages: u32,
    pub bot_messages: u32,
    /// 询单转化: the customer asked and then ordered; `None` without order data.
    pub converted: Option<bool>,
}

/// Computes the KPIs of a conversation from its turns.
pub fn kpis(conversation: &Conversation, turns: &[Turn], platform: &Platform) -> Kpis {
    let messages = &conversation.messages;
    let mut k = Kpis::default();
    for m in messages {
        match m.role {
            Role::Customer => k.customer_messages += 1,
            Role::Agent => k.agent_messages += 1,
            Role::Bot => k.bot_messages += 1,
            Role::System => {}
        }
    }
    k.turns = turns.len() as u32;
    k.answer_ratio = (k.customer_messages > 0)
        .then(|| f64::from(k.agent_messages) / f64::from(k.customer_messages));

    let first_customer = messages.iter().position(|m| m.role == Role::Customer);
    if let Some(first) = first_customer {
        let start = messages[first].at;
        let reply = messages[first..].iter().find(|m| m.role == Role::Agent);
        k.first_response_seconds = match (start, reply.and_then(|m| m.at)) {
            (Some(a), Some(b)) => Some(a.seconds_until(b).max(0.0)),
            _ => None,
        };
        // N秒应答率: the session counts when it starts inside the window.
        if let Some(start) = start {
            let rule = &platform.answer_rate;
            if rule.window.contains(start.local_second_of_day()) {
                k.answered_in_time = Some(
                    k.first_response_seconds
                        .is_some_and(|s| s <= rule.within_seconds),
                );
            }
        }
    }

    let avg = &platform.average_response;
    let rate = &platform.response_rate;
    for turn in turns {
        match turn.reply {
            None => k.unanswered_turns += 1,
            Some(_) => {
                if let Some(s) = turn.reply_seconds {
                    if s > platform.slow_reply_seconds {
                        k.slow_turns += 1;
                    }
                    k.max_response_seconds = Some(k.max_response_seconds.map_or(s, |m| m.max(s)));
                }
            }
        }
        let Some(start) = turn.start else { continue };
        let second = start.local_second_of_day();
        // An answered turn without a timed reply cannot be measured: left out.
        let measured = match turn.reply {
            None => Some(None),
            Some(_) => turn.reply_seconds.map(Some),
        };
        let Some(reply_seconds) = measured else {
            continue;
        };
        if avg.window.contains(second) {
            k.avg_response_sum +=
                reply_seconds.map_or(avg.unanswered_seconds, |s| s.min(avg.cap_seconds));
            k.avg_response_turns += 1;
        }
        if rate.window.contains(second) {
            k.response_rate.total += 1;
            if reply_seconds.is_some_and(|s| s <= rate.within_seconds) {
                k.response_rate.hits += 1;
            }
        }
    }
    if k.avg_response_turns > 0 {
        k.avg_response_seconds = Some(k.avg_response_sum / f64::from(k.avg_response_turns));
    }

    // 有效回复率: every customer message in the window needs a human reply within the wait.
    let eff = &platform.effective_reply;
    let mut asked = false;
    let mut answered = true;
    for (i, m) in messages.iter().enumerate() {
        if m.role != Role::Customer {
            continue;
        }
        let Some(at) = m.at else { continue };
        if !eff.window.contains(at.local_second_of_day()) {
            continue;
        }
        asked = true;
        let reply = messages[i + 1..]
            .iter()
            .find(|r| r.role == Role::Agent)
            .and_then(|r| r.at);
        if !reply.is_some_and(|r| at.seconds_until(r) <= eff.max_wait_seconds) {
            answered = false;
        }
    }
    if asked {
        k.effective_reply = Some(answered);
    }

    // 询单转化率: an order placed or paid after the customer's first message.
    if let Some(orders) = &conversation.orders {
        let asked_at = first_customer.map(|i| messages[i].at);
        k.converted = Some(match asked_at {
            None => false,
            Some(asked_at) => orders.iter().any(|o| {
                matches!(o.event, OrderEvent::Placed | OrderEvent::Paid)
                    && match (asked_at, o.at) {
                        (Some(a), Some(b)) => b.millis >= a.millis,
                        _ => true,
                    }
            }),
        });
    }
    k
}
