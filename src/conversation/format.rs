//! The conversation format: JSON Lines, one conversation per line (spec: `docs/conversations.md`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::time::Timestamp;

/// One conversation between a customer and a shop.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    pub id: String,
    /// A platform profile id (`taobao`, `jd`, `pdd`, `generic`…).
    pub platform: Option<String>,
    pub shop: Option<String>,
    pub channel: Option<String>,
    /// The agents who served the customer; the first is the one the conversation is scored for.
    pub agents: Vec<String>,
    pub customer: Option<String>,
    pub messages: Vec<Message>,
    /// Order events; `None` when the source has no order data (conversion is then unknown).
    pub orders: Option<Vec<Order>>,
    /// True for a phone call given as transcript segments.
    pub is_call: bool,
}

/// One message (or, for calls, one transcript segment).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub role: Role,
    pub sender: Option<String>,
    pub at: Option<Timestamp>,
    /// For transcript segments: start and end in seconds from the start of the call.
    pub segment: Option<(f64, f64)>,
    pub text: String,
}

/// Who sent a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Customer,
    /// A person on the shop's side (assisted replies included).
    Agent,
    /// An automatic reply: does not end a turn.
    Bot,
    System,
}

impl Role {
    /// Reads a role, with the names chat exports use.
    pub fn parse(s: &str) -> Option<Role> {
        let lower = s.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "customer" | "buyer" | "user" | "client" | "客户" | "买家" | "顾客" => {
                Role::Customer
            }
            "agent" | "staff" | "seller" | "human" | "assistant" | "service" | "客服" | "卖家"
            | "人工" => Role::Agent,
            "bot" | "robot" | "auto" | "automatic" | "机器人" | "自动回复" => Role::Bot,
            "system" | "系统" => Role::System,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
            Role::Bot => "bot",
            Role::System => "system",
        }
    }
}

/// An order event, for conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub event: OrderEvent,
    pub at: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    Placed,
    Paid,
}

/// A line that is not a conversation, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line number in the input, when known.
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for FormatError {}

/// The range of JavaScript dates (±100,000,000 days around 1970): beyond it a number is not a
/// time, and arithmetic on it could overflow.
const MAX_EPOCH_MILLIS: i64 = 8_640_000_000_000_000;

/// The longest call a transcript may describe, in seconds (a year).
const MAX_SEGMENT_SECONDS: f64 = 31_536_000.0;

/// A time as given: epoch milliseconds, or text with or without its own offset.
#[derive(Clone, Copy, Debug)]
enum RawTime {
    EpochMillis(i64),
    /// Parsed as if at UTC+0; the offset is `Some` when the text carried one.
    Text(Timestamp, bool),
}

impl RawTime {
    fn resolve(self, default_offset: i32) -> Timestamp {
        match self {
            RawTime::EpochMillis(ms) => Timestamp::from_millis(ms, default_offset),
            RawTime::Text(t, true) => t,
            RawTime::Text(t, false) => Timestamp {
                millis: t.millis - i64::from(default_offset) * 60_000,
                offset_minutes: default_offset,
            },
        }
    }
}

impl<'de> Deserialize<'de> for RawTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawTime, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = RawTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp or epoch milliseconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawTime, E> {
                if v.unsigned_abs() <= MAX_EPOCH_MILLIS as u64 {
                    Ok(RawTime::EpochMillis(v))
                } else {
                    Err(E::custom("epoch milliseconds out of range"))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawTime, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom("epoch milliseconds out of range"))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawTime, E> {
                if v.is_finite() && v.abs() <= MAX_EPOCH_MILLIS as f64 {
                    Ok(RawTime::EpochMillis(v.round() as i64))
                } else {
                    Err(E::custom("epoch milliseconds out of range"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTime, E> {
                // A sentinel offset tells whether the text carried its own.
                const NONE: i32 = i32::MIN;
                let t = Timestamp::parse(v, NONE).map_err(E::custom)?;
                Ok(if t.offset_minutes == NONE {
                    RawTime::Text(
                        Timestamp {
                            millis: t.millis + i64::from(NONE) * 60_000,
                            offset_minutes: 0,
                        },
                        false,
                    )
                } else {
                    RawTime::Text(t, true)
                })
            }
        }
        d.deserialize_any(TimeVisitor)
    }
}

/// A string, or a number used as an id.
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// One agent id or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawConversation<'a> {
    id: Id,
    platform: Option<String>,
    shop: Option<String>,
    channel: Option<String>,
    agent: Option<OneOrMany>,
    agents: Option<Vec<String>>,
    customer: Option<String>,
    #[serde(borrow)]
    messages: Option<Vec<RawMessage<'a>>>,
    segments: Option<Vec<RawSegment>>,
    started_at: Option<RawTime>,
    orders: Option<Vec<RawOrder>>,
}

#[derive(Deserialize)]
struct RawMessage<'a> {
    /// Borrowed from the line: a role needs no allocation of its own.
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(alias = "sender_id")]
    sender: Option<String>,
    #[serde(alias = "time", alias = "timestamp")]
    at: Option<RawTime>,
    #[serde(alias = "content")]
    text: String,
}

#[derive(Deserialize)]
struct RawSegment {
    #[serde(alias = "role")]
    speaker: String,
    start: f64,
    end: f64,
    text: String,
}

#[derive(Deserialize)]
struct RawOrder {
    #[serde(alias = "type", alias = "status")]
    event: String,
    at: Option<RawTime>,
}

impl Conversation {
    /// Reads one JSON line. `offset_for(platform)` gives the UTC offset (minutes) for times
    /// without their own: epoch milliseconds and offset-less text.
    pub fn from_json(
        line: &str,
        offset_for: impl Fn(Option<&str>) -> i32,
    ) -> Result<Conversation, FormatError> {
        let fail = |reason: String| FormatError { line: None, reason };
        let raw: RawConversation = serde_json::from_str(line).map_err(|e| fail(json_reason(&e)))?;
        let offset = offset_for(raw.platform.as_deref());
        let mut agents = match raw.agent {
            Some(OneOrMany::One(a)) => vec![a],
            Some(OneOrMany::Many(list)) => list,
            None => Vec::new(),
        };
        for a in raw.agents.into_iter().flatten() {
            if !agents.contains(&a) {
                agents.push(a);
            }
        }
        let role_of = |s: &str, what: &str, i: usize| {
            Role::parse(s).ok_or_else(|| {
                fail(format!(
                    "{what}[{i}]: unknown role {s:?} (customer, agent, bot or system)"
                ))
            })
        };
        let mut messages = Vec::new();
        let is_call = raw.segments.is_some();
        match (raw.messages, raw.segments) {
            (Some(_), Some(_)) => {
                return Err(fail("has both `messages` and `segments`".into()));
            }
            (None, None) => return Err(fail("missing field `messages`".into())),
            (Some(list), None) => {
                messages.reserve(list.len());
                for (i, m) in list.into_iter().enumerate() {
                    messages.push(Message {
                        role: role_of(&m.role, "messages", i)?,
                        sender: m.sender,
                        at: m.at.map(|t| t.resolve(offset)),
                        segment: None,
                        text: m.text,
                    });
                }
            }
            (None, Some(list)) => {
                let start = raw.started_at.map(|t| t.resolve(offset));
                for (i, s) in list.into_iter().enumerate() {
                    // NaN fails every comparison, so it is refused too.
                    if !(0.0 <= s.start && s.start <= s.end && s.end <= MAX_SEGMENT_SECONDS) {
                        return Err(fail(format!(
                            "segments[{i}]: start and end must be seconds with 0 ≤ start ≤ end ≤ {MAX_SEGMENT_SECONDS}"
                        )));
                    }
                    messages.push(Message {
                        role: role_of(&s.speaker, "segments", i)?,
                        sender: None,
                        at: start.map(|t| t.plus_seconds(s.start)),
                        segment: Some((s.start, s.end)),
                        text: s.text,
                    });
                }
            }
        }
        let orders = match raw.orders {
            None => None,
            Some(list) => {
                let mut orders = Vec::with_capacity(list.len());
                for (i, o) in list.into_iter().enumerate() {
                    let event = match o.event.to_ascii_lowercase().as_str() {
                        "placed" | "created" | "order" | "下单" => OrderEvent::Placed,
                        "paid" | "payment" | "付款" | "支付" => OrderEvent::Paid,
                        other => {
                            return Err(fail(format!(
                                "orders[{i}].event: unknown event {other:?} (placed or paid)"
                            )))
                        }
                    };
                    orders.push(Order {
                        event,
                        at: o.at.map(|t| t.resolve(offset)),
                    });
                }
                Some(orders)
            }
        };
        Ok(Conversation {
            id: raw.id.0,
            platform: raw.platform,
            shop: raw.shop,
            channel: raw.channel,
            agents,
            customer: raw.customer,
            messages,
            orders,
            is_call,
        })
    }

    /// The agent the conversation is scored for: the first listed, else the first sender of an
    /// agent message, else `"unknown"`.
    pub fn agent(&self) -> &str {
        self.agents
            .first()
            .map(String::as_str)
            .or_else(|| {
                self.messages
                    .iter()
                    .find(|m| m.role == Role::Agent)
                    .and_then(|m| m.sender.as_deref())
            })
            .unwrap_or("unknown")
    }

    /// When the conversation started: its first timed message.
    pub fn started_at(&self) -> Option<Timestamp> {
        self.messages.iter().find_map(|m| m.at)
    }
}

/// serde_json's message without its own "at line 1 column N" (the caller knows the line), but
/// with the column, which helps in a long line.
fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    format!("{message} (column {})", e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Conversation, FormatError> {
        Conversation::from_json(line, |_| 480)
    }

    #[test]
    fn reads_the_minimal_shape_with_both_time_forms() {
        let c = parse(r#"{"id": "c1", "platform": "taobao", "agent": "a7", "messages": [{"role": "customer", "at": "2026-11-02T10:00:00+08:00", "text": "在吗"}, {"role": "agent", "at": 1793584840000, "text": "亲，在的"}]}"#).unwrap();
        assert_eq!(c.agent(), "a7");
        let (a, b) = (c.messages[0].at.unwrap(), c.messages[1].at.unwrap());
        assert_eq!(a.seconds_until(b), 40.0);
        assert_eq!(b.local_second_of_day(), 10 * 3600 + 40);
    }

    #[test]
    fn says_what_is_wrong() {
        let e =
            parse(r#"{"id": "c1", "messages": [{"role": "shopper", "text": "x"}]}"#).unwrap_err();
        assert!(
            e.reason.contains("messages[0]: unknown role \"shopper\""),
            "{e}"
        );
        let e = parse(r#"{"id": "c1", "messages": [{"role": "agent"}]}"#).unwrap_err();
        assert!(e.reason.contains("missing field `text`"), "{e}");
        let e = parse(r#"{"id": "c1", "messages": [{"role": "agent", "at": "noon", "text": ""}]}"#)
            .unwrap_err();
        assert!(e.reason.contains("not an RFC 3339 timestamp"), "{e}");
        let e = parse(r#"{"id": "c1""#).unwrap_err();
        assert!(e.reason.contains("EOF"), "{e}");
    }

    #[test]
    fn reads_transcript_segments() {
        let c = parse(r#"{"id": 9, "started_at": "2026-11-02T10:00:00+08:00", "segments": [{"speaker": "customer", "start": 0, "end": 2.5, "text": "喂"}, {"speaker": "agent", "start": 3, "end": 5, "text": "您好"}]}"#).unwrap();
        assert!(c.is_call);
        assert_eq!(c.id, "9");
        assert_eq!(c.messages[1].segment, Some((3.0, 5.0)));
        assert_eq!(
            c.messages[0]
                .at
                .unwrap()
                .seconds_until(c.messages[1].at.unwrap()),
            3.0
        );
    }
}
