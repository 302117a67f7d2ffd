//! Conversation scoring never panics, whatever the line: random shapes, extreme and out-of-order
//! times, odd roles, huge or empty texts, transcripts with absurd segment times. A line is either
//! a conversation with a score in 0–100 or an error with a reason. (A panic in WebAssembly would
//! kill the module in the agent's page; in a review it would lose the batch.)

use serde_json::{json, Value};
use zhijian::conversation::Inspector;
use zhijian::review::{Review, ReviewOptions, SamplingPlan, SplitMix};

const TEXTS: &[&str] = &[
    "",
    "在吗",
    "亲，您好",
    "你自己看！！",
    "什么态度！！我要投诉",
    "加我微信 wx123",
    "😀👍🏽𠀀",
    "\u{0000}\u{001B}[31m",
    "calm down",
    "I want a refund!!",
    "好的，那就要两件",
    "\u{FFFD}",
    "这个我不知道",
    "？？？",
    "第二件半价哦",
];
const ROLES: &[&str] = &[
    "customer", "agent", "bot", "system", "买家", "客服", "robot",
];

/// A role, now and then one that is not.
fn role(rng: &mut SplitMix) -> &'static str {
    match rng.below(60) {
        0 => "shopper",
        1 => "",
        n => ROLES[n as usize % ROLES.len()],
    }
}

fn time(rng: &mut SplitMix) -> Value {
    match rng.below(40) {
        0 => json!(rng.next_u64() as i64),
        1 => json!(-(rng.below(1 << 40) as i64)),
        2 => json!(1_793_584_800_000u64 + rng.below(86_400_000)),
        3 => json!(1e300),
        4 => json!("2026-11-02T23:59:59+08:00"),
        5 => json!("2026-11-02 08:00:00"),
        6 => json!("9999-12-31T23:59:59-18:00"),
        7 => json!("not a time"),
        8..=12 => Value::Null,
        _ => json!(1_793_584_800_000u64 + rng.below(86_400_000)),
    }
}

fn conversation(rng: &mut SplitMix) -> String {
    let n = rng.below(14) as usize;
    let platform = ["taobao", "jd", "pdd", "generic", "mars"][rng.below(5) as usize];
    let mut c = json!({ "id": rng.below(1000), "platform": platform });
    if rng.below(5) == 0 {
        let segments: Vec<Value> = (0..n)
            .map(|_| {
                let start = [0.0, 1.5, 1e12, -1.0, f64::MAX][rng.below(5) as usize];
                json!({ "speaker": role(rng), "start": start, "end": start + rng.below(10) as f64, "text": TEXTS[rng.below(TEXTS.len() as u64) as usize] })
            })
            .collect();
        c["segments"] = json!(segments);
        c["started_at"] = time(rng);
    } else {
        let messages: Vec<Value> = (0..n)
            .map(|_| {
                let mut m = json!({ "role": role(rng), "text": TEXTS[rng.below(TEXTS.len() as u64) as usize].repeat(1 + rng.below(3) as usize) });
                let t = time(rng);
                if !t.is_null() {
                    m["at"] = t;
                }
                m
            })
            .collect();
        c["messages"] = json!(messages);
    }
    if rng.below(3) == 0 {
        let event = ["paid", "placed", "refund"][rng.below(3) as usize];
        c["orders"] = json!([{ "event": event, "at": time(rng) }]);
    }
    c.to_string()
}

#[test]
fn random_conversations_score_or_fail_cleanly() {
    let inspector = Inspector::with_defaults().expect("defaults load");
    let mut review = Review::new(ReviewOptions {
        sampling: Some(SamplingPlan { size: 3, seed: 1 }),
        ..ReviewOptions::default()
    });
    let mut rng = SplitMix(7);
    let (mut scored, mut refused) = (0, 0);
    for _ in 0..3000 {
        let line = conversation(&mut rng);
        match inspector.parse(&line) {
            Ok(c) => {
                let s = inspector.score(&c);
                assert!(s.score <= 100, "{line}");
                serde_json::to_string(&s).expect("a score serialises");
                review.add(&s);
                scored += 1;
            }
            Err(e) => {
                assert!(!e.reason.is_empty());
                refused += 1;
            }
        }
    }
    let summary = review.finish();
    assert_eq!(summary.conversations, scored);
    zhijian::review::html::render(&summary, "<robustness>");
    assert!(
        scored > 500 && refused > 500,
        "both kinds exercised: {scored} scored, {refused} refused"
    );
}

#[test]
fn garbage_lines_are_refused_with_a_reason() {
    let inspector = Inspector::with_defaults().expect("defaults load");
    for line in [
        "",
        "null",
        "[]",
        "{}",
        "\"x\"",
        "{\"id\":",
        "{\"id\": {}, \"messages\": []}",
        "{\"id\": 1, \"messages\": 5}",
        "\u{0000}",
        "{\"id\":1,\"messages\":[],\"segments\":[]}",
    ] {
        let e = inspector.parse(line).expect_err(line);
        assert!(!e.reason.is_empty(), "{line}");
    }
    let huge = format!(
        "{{\"id\": 1, \"messages\": [{{\"role\": \"agent\", \"text\": \"{}\"}}]}}",
        "你自己看！".repeat(100_000)
    );
    let c = inspector
        .parse(&huge)
        .expect("a long message is still a conversation");
    assert!(inspector.score(&c).score <= 100);
}
