//! The platform KPIs on hand-built conversations, against values computed by hand from the
//! definitions in shared/docs/domain.md and the profiles in rules/platforms/.

use zhijian::conversation::{Inspector, Kpis};

fn kpis_of(platform: &str, messages: &[(&str, &str, &str)], orders: Option<&str>) -> Kpis {
    let inspector = Inspector::with_defaults().unwrap();
    let messages: Vec<String> = messages
        .iter()
        .map(|(role, at, text)| {
            format!(r#"{{"role":"{role}","at":"2026-11-02T{at}+08:00","text":"{text}"}}"#)
        })
        .collect();
    let orders = orders.map_or(String::new(), |o| format!(r#","orders":{o}"#));
    let line = format!(
        r#"{{"id":"k","platform":"{platform}","agent":"a","messages":[{}]{orders}}}"#,
        messages.join(",")
    );
    let conversation = inspector.parse(&line).unwrap();
    inspector.score(&conversation).kpis
}

/// Taobao: 平响 over turns starting 8:00–23:00, capped at 600 s, unanswered = 600 s; 3-minute
/// rate over turns starting 8:00–24:00; slow line 100 s.
#[test]
fn taobao_turns_with_every_edge_case() {
    let k = kpis_of(
        "taobao",
        &[
            ("customer", "10:00:00", "在吗"),
            // A second customer message before the reply: still the same turn.
            ("customer", "10:00:30", "有货吗"),
            // A bot reply does not end the turn.
            ("bot", "10:00:31", "【自动回复】您好"),
            ("agent", "10:01:00", "亲，在的"), // turn 1: 60 s
            ("customer", "10:05:00", "几天到"),
            ("agent", "10:17:00", "三天左右"), // turn 2: 720 s → capped at 600, slow
            // Starts in the window, answered after it ends: counts (windows go by turn start).
            ("customer", "22:59:00", "还在吗"),
            ("agent", "23:02:00", "在的"), // turn 3: 180 s, slow, within 3 minutes
            // Starts after 23:00: outside 平响, inside the 3-minute window; never answered.
            ("customer", "23:30:00", "好的谢谢"),
        ],
        None,
    );
    assert_eq!(k.turns, 4);
    assert_eq!(k.unanswered_turns, 1);
    assert_eq!(k.first_response_seconds, Some(60.0));
    // (60 + 600 + 180) / 3
    assert_eq!(k.avg_response_seconds, Some(280.0));
    // turns 1 and 3 of 4 within 180 s
    assert_eq!((k.response_rate.hits, k.response_rate.total), (2, 4));
    assert_eq!(k.slow_turns, 2);
    // 3 agent messages / 5 customer messages (the bot's is neither)
    assert_eq!(k.answer_ratio, Some(0.6));
    assert_eq!(k.bot_messages, 1);
    assert_eq!(k.max_response_seconds, Some(720.0));
    assert_eq!(k.converted, None, "no order data");
}

#[test]
fn an_unanswered_turn_counts_as_the_cap() {
    let k = kpis_of("taobao", &[("customer", "10:00:00", "在吗")], None);
    assert_eq!(k.avg_response_seconds, Some(600.0));
    assert_eq!(k.first_response_seconds, None);
    assert_eq!((k.response_rate.hits, k.response_rate.total), (0, 1));
    assert_eq!(k.answer_ratio, Some(0.0));
}

/// JD: 30-second answer rate per session; sessions starting 23:00–09:00 are excluded.
#[test]
fn jd_answer_rate_by_session_start() {
    let day = kpis_of(
        "jd",
        &[
            ("customer", "09:00:00", "在吗"),
            ("agent", "09:00:25", "您好"),
        ],
        None,
    );
    assert_eq!(day.answered_in_time, Some(true));
    let slow = kpis_of(
        "jd",
        &[
            ("customer", "09:00:00", "在吗"),
            ("agent", "09:00:31", "您好"),
        ],
        None,
    );
    assert_eq!(slow.answered_in_time, Some(false));
    let night = kpis_of(
        "jd",
        &[
            ("customer", "23:10:00", "在吗"),
            ("agent", "23:10:05", "您好"),
        ],
        None,
    );
    assert_eq!(night.answered_in_time, None);
    let early = kpis_of(
        "jd",
        &[
            ("customer", "08:59:59", "在吗"),
            ("agent", "09:00:05", "您好"),
        ],
        None,
    );
    assert_eq!(early.answered_in_time, None);
}

/// PDD: a buyer who asked 8:00–23:00 counts as answered only if no message waited over an hour.
#[test]
fn pdd_effective_reply() {
    let ok = kpis_of(
        "pdd",
        &[
            ("customer", "07:30:00", "在吗"), // outside the window: not counted
            ("customer", "09:00:00", "甜吗"),
            ("agent", "09:50:00", "很甜哦"), // 3000 s
        ],
        None,
    );
    assert_eq!(ok.effective_reply, Some(true));
    let late = kpis_of(
        "pdd",
        &[
            ("customer", "09:00:00", "甜吗"),
            ("agent", "10:01:00", "很甜哦"),
        ], // 3660 s
        None,
    );
    assert_eq!(late.effective_reply, Some(false));
    let unanswered = kpis_of(
        "pdd",
        &[
            ("customer", "09:00:00", "甜吗"),
            ("agent", "09:00:10", "很甜哦"),
            ("customer", "09:01:00", "几天到"),
        ],
        None,
    );
    assert_eq!(unanswered.effective_reply, Some(false));
    let night = kpis_of("pdd", &[("customer", "07:00:00", "在吗")], None);
    assert_eq!(night.effective_reply, None);
}

#[test]
fn conversion_needs_an_order_after_the_question() {
    let messages = [
        ("customer", "10:00:00", "有货吗"),
        ("agent", "10:00:10", "有的亲"),
    ];
    let after = r#"[{"event":"paid","at":"2026-11-02T10:05:00+08:00"}]"#;
    let before = r#"[{"event":"placed","at":"2026-11-02T09:00:00+08:00"}]"#;
    assert_eq!(
        kpis_of("taobao", &messages, Some(after)).converted,
        Some(true)
    );
    assert_eq!(
        kpis_of("taobao", &messages, Some(before)).converted,
        Some(false)
    );
    assert_eq!(
        kpis_of("taobao", &messages, Some("[]")).converted,
        Some(false)
    );
}

/// Epoch milliseconds read in the profile's offset: 02:00 UTC is 10:00 in China.
#[test]
fn epoch_milliseconds_use_the_profile_offset() {
    let inspector = Inspector::with_defaults().unwrap();
    let c = inspector
        .parse(r#"{"id":"e","platform":"taobao","messages":[{"role":"customer","at":1793584800000,"text":"在吗"},{"role":"agent","at":1793584830000,"text":"在的"}]}"#)
        .unwrap();
    assert_eq!(c.messages[0].at.unwrap().local_second_of_day(), 10 * 3600);
    assert_eq!(inspector.score(&c).kpis.first_response_seconds, Some(30.0));
}
