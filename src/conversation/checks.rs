//! The conversation checks: what only a whole conversation shows (greeting, closing, apology
//! after anger, unanswered questions, repeats, slow turns, the customer's emotion, upsell, and for
//! calls silences, talking over and speech rate).

use serde::Serialize;

use super::format::{Conversation, OrderEvent, Role};
use super::kpi::Turn;
use super::platform::Platform;
use crate::check::Report;

/// Every check a scorecard item may name.
pub const CHECKS: &[&str] = &[
    "missing-greeting",
    "missing-closing",
    "no-apology-after-anger",
    "unanswered-question",
    "unanswered-turn",
    "repeated-reply",
    "slow-turn",
    "customer-escalated",
    "upsell-offered",
    "upsell-accepted",
    "long-silence",
    "overlap",
    "fast-speech",
];

/// One thing a conversation check found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub check: &'static str,
    /// The message it is about (index into the conversation's messages).
    pub message: Option<usize>,
    /// Why, in words: "replied after 135 s (line: 100 s)".
    pub detail: String,
}

/// The customer's emotion over the conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Emotion {
    /// Customer messages showing anger.
    pub anger: u32,
    /// Customer messages with a complaint trigger (投诉, 差评, 12315…).
    pub complaint: u32,
    /// `calm`, `upset` (from start to end), `escalated` (calm at first, upset at the end) or
    /// `calmed` (upset, then calm at the end).
    pub trend: &'static str,
    /// The first upset customer message.
    pub first_upset: Option<usize>,
}

/// Phone-call figures from transcript segments.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CallMetrics {
    /// The agent's speech rate over their segments.
    pub agent_rate_per_minute: Option<f64>,
    /// `chars` (Chinese) or `words` (English).
    pub rate_unit: &'static str,
    pub long_silences: u32,
    pub overlaps: u32,
    /// The agent's share of the talking time.
    pub agent_talk_share: Option<f64>,
}

/// What the checks read from one message.
pub(crate) fn has_strategy(report: Option<&Report>, names: &[&str]) -> bool {
    report.is_some_and(|r| r.strategies.iter().any(|s| names.contains(&&**s)))
}

pub(crate) fn has_category(report: Option<&Report>, category: &str) -> bool {
    report.is_some_and(|r| r.categories.contains_key(category))
}

fn is_upset(report: Option<&Report>) -> bool {
    has_category(report, "anger") || has_category(report, "complaint")
}

const APOLOGY: &[&str] = &["apology", "empathy", "reassurance"];

/// Runs every check. `reports[i]` is the report of message `i`: the agent pack's for agent
/// messages, the customer pack's for customer messages, `None` for bots and system messages.
pub fn run(
    conversation: &Conversation,
    reports: &[Option<Report>],
    turns: &[Turn],
    platform: &Platform,
    zh: bool,
) -> (Vec<Finding>, Emotion) {
    let messages = &conversation.messages;
    let report = |i: usize| reports.get(i).and_then(Option::as_ref);
    let mut findings = Vec::new();
    let agent_indices: Vec<usize> = (0..messages.len())
        .filter(|&i| messages[i].role == Role::Agent)
        .collect();

    if let Some(&first) = agent_indices.first() {
        if !has_strategy(report(first), &["greeting"]) {
            findings.push(Finding {
                check: "missing-greeting",
                message: Some(first),
                detail: say(zh, "首次回复没有问候语", "the first reply has no greeting"),
            });
        }
    }
    if let Some(&last) = agent_indices.last() {
        if !has_strategy(report(last), &["closing", "gratitude"]) {
            findings.push(Finding {
                check: "missing-closing",
                message: Some(last),
                detail: say(
                    zh,
                    "最后一条回复没有结束语",
                    "the last reply has no closing",
                ),
            });
        }
    }

    // Apology after anger: per block of customer messages, the agent replies that follow it.
    let mut i = 0;
    while i < messages.len() {
        if messages[i].role != Role::Customer {
            i += 1;
            continue;
        }
        let mut upset = None;
        while i < messages.len() && messages[i].role != Role::Agent {
            if messages[i].role == Role::Customer && upset.is_none() && is_upset(report(i)) {
                upset = Some(i);
            }
            i += 1;
        }
        let replies_end = (i..messages.len())
            .find(|&j| messages[j].role == Role::Customer)
            .unwrap_or(messages.len());
        if let Some(upset) = upset {
            let apologised = (i..replies_end)
                .any(|j| messages[j].role == Role::Agent && has_strategy(report(j), APOLOGY));
            if !apologised && i < replies_end {
                findings.push(Finding {
                    check: "no-apology-after-anger",
                    message: Some(i),
                    detail: if zh {
                        format!("客户情绪激动（第 {} 条消息），回复中没有致歉或安抚", upset + 1)
                    } else {
                        format!(
                            "the customer was upset (message {}) and the reply has no apology or reassurance",
                            upset + 1
                        )
                    },
                });
            }
        }
    }

    // Unanswered: turns without a human reply, and the questions in them.
    for turn in turns.iter().filter(|t| t.reply.is_none()) {
        findings.push(Finding {
            check: "unanswered-turn",
            message: Some(turn.opened_by),
            detail: say(zh, "客服没有回复", "no agent replied"),
        });
        for (j, m) in messages.iter().enumerate().skip(turn.opened_by) {
            if m.role == Role::Customer && has_category(report(j), "question") {
                findings.push(Finding {
                    check: "unanswered-question",
                    message: Some(j),
                    detail: say(
                        zh,
                        "客户的问题没有得到回复",
                        "the customer's question got no reply",
                    ),
                });
            }
        }
    }

    // A reply repeating the previous one verbatim (short acknowledgements aside).
    for pair in agent_indices.windows(2) {
        let (a, b) = (messages[pair[0]].text.trim(), messages[pair[1]].text.trim());
        if a == b && b.chars().count() >= 4 {
            findings.push(Finding {
                check: "repeated-reply",
                message: Some(pair[1]),
                detail: say(
                    zh,
                    "与上一条回复完全相同",
                    "repeats the previous reply word for word",
                ),
            });
        }
    }

    for turn in turns {
        if let (Some(reply), Some(s)) = (turn.reply, turn.reply_seconds) {
            if s > platform.slow_reply_seconds {
                findings.push(Finding {
                    check: "slow-turn",
                    message: Some(reply),
                    detail: if zh {
                        format!(
                            "{} 秒后才回复（慢响应线 {} 秒）",
                            round1(s),
                            round1(platform.slow_reply_seconds)
                        )
                    } else {
                        format!(
                            "replied after {} s (line: {} s)",
                            round1(s),
                            round1(platform.slow_reply_seconds)
                        )
                    },
                });
            }
        }
    }

    let emotion = emotion(conversation, reports);
    if emotion.trend == "escalated" {
        let last = (0..messages.len())
            .rev()
            .find(|&j| messages[j].role == Role::Customer);
        findings.push(Finding {
            check: "customer-escalated",
            message: last,
            detail: say(
                zh,
                "客户开始时平静，结束时情绪激动",
                "the customer was calm at first and upset at the end",
            ),
        });
    }

    // Upsell: offered by the agent; accepted when the customer says so or orders afterwards.
    if let Some(&offer) = agent_indices
        .iter()
        .find(|&&j| has_strategy(report(j), &["upsell"]))
    {
        findings.push(Finding {
            check: "upsell-offered",
            message: Some(offer),
            detail: say(zh, "主动推荐了关联商品", "offered a related item"),
        });
        let said_yes = (offer + 1..messages.len())
            .find(|&j| messages[j].role == Role::Customer && has_category(report(j), "acceptance"));
        let offered_at = messages[offer].at;
        let ordered = conversation.orders.iter().flatten().any(|o| {
            matches!(o.event, OrderEvent::Placed | OrderEvent::Paid)
                && matches!((offered_at, o.at), (Some(a), Some(b)) if b.millis >= a.millis)
        });
        if said_yes.is_some() || ordered {
            findings.push(Finding {
                check: "upsell-accepted",
                message: said_yes.or(Some(offer)),
                detail: if said_yes.is_some() {
                    say(zh, "客户接受了推荐", "the customer accepted the offer")
                } else {
                    say(
                        zh,
                        "推荐后客户下单了",
                        "the customer ordered after the offer",
                    )
                },
            });
        }
    }

    if conversation.is_call {
        call_findings(conversation, platform, zh, &mut findings);
    }
    (findings, emotion)
}

fn emotion(conversation: &Conversation, reports: &[Option<Report>]) -> Emotion {
    let mut e = Emotion {
        trend: "calm",
        ..Emotion::default()
    };
    let mut first = None;
    let mut last = None;
    for (i, m) in conversation.messages.iter().enumerate() {
        if m.role != Role::Customer {
            continue;
        }
        let r = reports.get(i).and_then(Option::as_ref);
        let anger = has_category(r, "anger");
        let complaint = has_category(r, "complaint");
        e.anger += u32::from(anger);
        e.complaint += u32::from(complaint);
        let upset = anger || complaint;
        if upset && e.first_upset.is_none() {
            e.first_upset = Some(i);
        }
        first.get_or_insert(upset);
        last = Some(upset);
    }
    e.trend = match (first, last, e.first_upset.is_some()) {
        (_, _, false) => "calm",
        (Some(true), Some(true), _) => "upset",
        (_, Some(true), _) => "escalated",
        _ => "calmed",
    };
    e
}

/// Silences, talking over and speech rate, from transcript segments.
/// Call figures; silences and overlaps are counted from the findings [`run`] already made.
pub fn call_metrics(conversation: &Conversation, findings: &[Finding]) -> CallMetrics {
    let mut m = CallMetrics {
        long_silences: findings
            .iter()
            .filter(|f| f.check == "long-silence")
            .count() as u32,
        overlaps: findings.iter().filter(|f| f.check == "overlap").count() as u32,
        ..CallMetrics::default()
    };
    let (rate, unit) = agent_speech_rate(conversation);
    m.agent_rate_per_minute = rate.map(round1);
    m.rate_unit = unit;
    let (mut agent, mut total) = (0.0, 0.0);
    for msg in &conversation.messages {
        if let Some((s, e)) = msg.segment {
            total += e - s;
            if msg.role == Role::Agent {
                agent += e - s;
            }
        }
    }
    m.agent_talk_share = (total > 0.0).then(|| round3(agent / total));
    m
}

fn agent_speech_rate(conversation: &Conversation) -> (Option<f64>, &'static str) {
    let (mut units, mut seconds, mut han, mut latin) = (0usize, 0.0, 0usize, 0usize);
    for m in &conversation.messages {
        let (Role::Agent, Some((s, e))) = (m.role, m.segment) else {
            continue;
        };
        seconds += e - s;
        han += m.text.chars().filter(|&c| crate::text::is_han(c)).count();
        latin += m
            .text
            .split_whitespace()
            .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
            .count();
    }
    // Chinese speech is measured in characters, English in words.
    let unit = if han == 0 && latin > 0 {
        units += latin;
        "words"
    } else {
        units += han;
        "chars"
    };
    ((seconds > 0.0).then(|| units as f64 * 60.0 / seconds), unit)
}

fn call_findings(
    conversation: &Conversation,
    platform: &Platform,
    zh: bool,
    findings: &mut Vec<Finding>,
) {
    let phone = &platform.phone;
    let segments: Vec<(usize, Role, f64, f64)> = conversation
        .messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.segment.map(|(s, e)| (i, m.role, s, e)))
        .collect();
    // The end of the talking so far, and who was talking then.
    let mut talk_end: Option<(f64, Role)> = None;
    for &(i, role, start, end) in &segments {
        if let Some((prev_end, prev_role)) = talk_end {
            let gap = start - prev_end;
            if gap > phone.long_silence_seconds {
                findings.push(Finding {
                    check: "long-silence",
                    message: Some(i),
                    detail: if zh {
                        format!("此前静默 {} 秒", round1(gap))
                    } else {
                        format!("{} s of silence before this", round1(gap))
                    },
                });
            }
            if role == Role::Agent && prev_role == Role::Customer && -gap > phone.overlap_seconds {
                findings.push(Finding {
                    check: "overlap",
                    message: Some(i),
                    detail: if zh {
                        format!("客服抢话 {} 秒", round1(-gap))
                    } else {
                        format!("the agent talked over the customer for {} s", round1(-gap))
                    },
                });
            }
        }
        if talk_end.is_none_or(|(e, _)| end >= e) {
            talk_end = Some((end, role));
        }
    }
    let (rate, unit) = agent_speech_rate(conversation);
    let limit = if unit == "words" {
        phone.max_words_per_minute
    } else {
        phone.max_chars_per_minute
    };
    if let Some(rate) = rate.filter(|&r| r > limit) {
        findings.push(Finding {
            check: "fast-speech",
            message: segments.iter().find(|s| s.1 == Role::Agent).map(|s| s.0),
            detail: if zh {
                let unit = if unit == "words" { "词" } else { "字" };
                format!("客服语速每分钟 {} {unit}（上限 {limit}）", round1(rate))
            } else {
                format!(
                    "the agent spoke {} {unit} per minute (line: {limit})",
                    round1(rate)
                )
            },
        });
    }
}

/// A finding's words in the reader's language.
fn say(zh: bool, chinese: &str, english: &str) -> String {
    if zh { chinese } else { english }.to_string()
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
