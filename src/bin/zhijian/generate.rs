//! `zhijian generate`: realistic synthetic conversations for tests and benchmarks.
//!
//! Agents have habits (a model agent, an average one, a curt one, a slow one, a risky one);
//! customers ask, follow up, sometimes get angry and sometimes order; some shops answer first
//! with a bot. The phrases are written for this generator; the mix is deterministic per seed.

use std::fmt::Write as _;

use zhijian::conversation::time::{Date, Timestamp};
use zhijian::review::SplitMix;

struct Habit {
    name: &'static str,
    greeting: f64,
    closing: f64,
    apology: f64,
    curt: f64,
    fatal: f64,
    upsell: f64,
    /// Median reply time in seconds.
    delay: f64,
}

const HABITS: &[Habit] = &[
    Habit {
        name: "model",
        greeting: 0.97,
        closing: 0.9,
        apology: 0.95,
        curt: 0.02,
        fatal: 0.0,
        upsell: 0.4,
        delay: 12.0,
    },
    Habit {
        name: "average",
        greeting: 0.85,
        closing: 0.6,
        apology: 0.7,
        curt: 0.08,
        fatal: 0.002,
        upsell: 0.2,
        delay: 25.0,
    },
    Habit {
        name: "curt",
        greeting: 0.5,
        closing: 0.3,
        apology: 0.3,
        curt: 0.35,
        fatal: 0.01,
        upsell: 0.05,
        delay: 20.0,
    },
    Habit {
        name: "slow",
        greeting: 0.8,
        closing: 0.6,
        apology: 0.6,
        curt: 0.1,
        fatal: 0.002,
        upsell: 0.1,
        delay: 90.0,
    },
    Habit {
        name: "risky",
        greeting: 0.7,
        closing: 0.5,
        apology: 0.5,
        curt: 0.15,
        fatal: 0.06,
        upsell: 0.3,
        delay: 30.0,
    },
];

struct Lines {
    opening: &'static [&'static str],
    follow_up: &'static [&'static str],
    angry: &'static [&'static str],
    accept: &'static [&'static str],
    thanks: &'static [&'static str],
    greeting: &'static [&'static str],
    answer: &'static [&'static str],
    curt: &'static [&'static str],
    apology: &'static [&'static str],
    upsell: &'static [&'static str],
    closing: &'static [&'static str],
    fatal: &'static [&'static str],
    bot: &'static [&'static str],
}

const ZH: Lines = Lines {
    opening: &[
        "在吗",
        "你好，请问这款什么时候发货",
        "我的快递三天了还没动",
        "这个衣服偏大还是偏小",
        "可以便宜点吗",
        "收到的杯子有裂痕",
        "请问有优惠券吗",
        "我想退货怎么操作",
        "这个能开发票吗",
        "颜色和图片不一样啊",
    ],
    follow_up: &[
        "那大概几天能到？",
        "好的，那我要M码吗",
        "订单号发你了",
        "能不能快一点",
        "退款多久到账",
        "运费谁出？",
        "有没有其他颜色",
        "那我等你消息",
    ],
    angry: &[
        "都等了一个星期了，什么态度！！",
        "再不处理我就投诉了",
        "你们这是骗子吧",
        "气死我了，给差评",
        "太过分了，我要找你们领导",
        "垃圾质量，我要退款",
    ],
    accept: &["好的，那就要两件", "行，加一个", "已拍", "那我下单了"],
    thanks: &["好的谢谢", "嗯嗯知道了", "谢谢亲", "好的"],
    greeting: &[
        "亲，您好，有什么可以帮您的吗",
        "您好，很高兴为您服务",
        "在的亲，请问有什么可以帮您",
        "您好呀，欢迎光临",
    ],
    answer: &[
        "亲，这款今天下午就可以发货哦",
        "我帮您查一下物流，请稍等",
        "亲，建议您拍M码，平时穿的码数就可以",
        "已经为您登记了，会尽快处理的",
        "亲，退款会在1-3个工作日原路退回",
        "这边为您申请补发，请您留意物流信息",
        "可以开发票的，下单时备注抬头就可以哦",
        "亲，目前有满199减20的活动哦",
    ],
    curt: &[
        "不知道",
        "你自己看详情页",
        "快点付款",
        "这个没办法",
        "我不是说了吗？",
        "等着吧",
        "你到底买不买",
        "这是规定",
    ],
    apology: &[
        "非常抱歉给您带来不便，我马上为您处理",
        "真的很抱歉让您久等了，我理解您的心情",
        "抱歉亲，这边立刻帮您加急处理，请您放心",
    ],
    upsell: &[
        "这款搭配我们的收纳盒一起买更划算哦",
        "第二件半价哦，要不要再加一件",
        "亲，同款还有其他颜色，给您推荐一下",
    ],
    closing: &[
        "还有其他问题随时联系我哦，祝您生活愉快",
        "感谢您的支持，祝您购物愉快",
        "不客气亲，欢迎下次光临",
    ],
    fatal: &[
        "加我微信wx123456，私下给你便宜",
        "你有病吧",
        "我们家是全网最低价，绝对正品",
    ],
    bot: &[
        "【自动回复】您好，欢迎光临本店，客服马上为您服务",
        "【自动回复】亲，当前咨询人数较多，请稍候",
    ],
};

const EN: Lines = Lines {
    opening: &[
        "hi, when will my order ship?",
        "my parcel hasn't moved for 3 days",
        "does this run small?",
        "can I get a discount?",
        "the mug arrived cracked",
        "how do I return this?",
    ],
    follow_up: &[
        "how long will it take?",
        "ok, which size should I get?",
        "I sent you the order number",
        "who pays for shipping?",
        "any other colours?",
    ],
    angry: &[
        "this is ridiculous, I've waited a week!!",
        "I want a refund or I'll leave a bad review",
        "terrible service, get me your manager",
    ],
    accept: &["great, I'll take it", "ok add one", "just ordered"],
    thanks: &["thanks", "ok got it", "thank you"],
    greeting: &[
        "Hi, thanks for reaching out! How can I help?",
        "Hello, happy to help you today.",
    ],
    answer: &[
        "It ships this afternoon, and you'll get a tracking number.",
        "Let me check the tracking for you, one moment please.",
        "I'd suggest a medium; it fits true to size.",
        "I've arranged a replacement for you.",
        "Your refund will arrive in 1-3 business days.",
    ],
    curt: &[
        "Read the description.",
        "Calm down.",
        "That's not my problem.",
        "Like I said, wait.",
    ],
    apology: &[
        "I'm so sorry about this, I'll sort it out right away.",
        "I apologize for the wait, I understand how frustrating this is.",
    ],
    upsell: &[
        "It pairs well with our matching case, want to add one?",
        "The second one is half price if you'd like to add it.",
    ],
    closing: &[
        "Anything else, just let me know. Have a great day!",
        "Thanks for shopping with us, have a nice day!",
    ],
    fatal: &[
        "add me on whatsapp +1 415 555 0100 for a better price",
        "you're an idiot",
    ],
    bot: &["[Auto-reply] Thanks for your message, an agent will be with you shortly."],
};

fn pick<'a>(rng: &mut SplitMix, list: &'a [&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

fn chance(rng: &mut SplitMix, p: f64) -> bool {
    rng.unit() < p
}

/// A reply delay: log-normal around the agent's median, as reply times are.
fn delay(rng: &mut SplitMix, median: f64) -> f64 {
    let (u1, u2) = (rng.unit().max(1e-12), rng.unit());
    let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (median * (0.8 * normal).exp()).clamp(2.0, 3600.0)
}

pub struct Plan {
    pub count: u64,
    pub seed: u64,
    pub agents: usize,
    pub start: Date,
    pub days: u32,
}

/// Writes `plan.count` conversations as JSON Lines.
pub fn generate(plan: &Plan, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut rng = SplitMix(plan.seed);
    let platforms = ["taobao", "taobao", "jd", "pdd"];
    let day0 = Timestamp::parse(&format!("{}T00:00:00+08:00", plan.start), 480)
        .map_err(std::io::Error::other)?;
    let mut line = String::with_capacity(2048);
    for n in 0..plan.count {
        line.clear();
        let agent_no = rng.below(plan.agents.max(1) as u64) as usize;
        let habit = &HABITS[agent_no % HABITS.len()];
        let english = chance(&mut rng, 0.15);
        let lines = if english { &EN } else { &ZH };
        let platform = if english {
            "generic"
        } else {
            platforms[rng.below(4) as usize]
        };
        // Conversations mostly by day, some late at night.
        let day = rng.below(u64::from(plan.days.max(1))) as f64;
        let hour = if chance(&mut rng, 0.1) {
            rng.unit() * 8.0
        } else {
            8.0 + rng.unit() * 16.0
        };
        let mut t = day0.plus_seconds(day * 86_400.0 + hour * 3600.0);
        let mut messages: Vec<(&str, Timestamp, String)> = Vec::new();
        let angry = chance(&mut rng, 0.15);
        let buys = chance(&mut rng, 0.3);
        messages.push(("customer", t, pick(&mut rng, lines.opening).to_string()));
        if chance(&mut rng, 0.3) {
            t = t.plus_seconds(1.0);
            messages.push(("bot", t, pick(&mut rng, lines.bot).to_string()));
        }
        let rounds = 4 + rng.below(3);
        let mut upsold = false;
        for round in 0..rounds {
            // The agent's reply (sometimes two messages).
            t = t.plus_seconds(delay(&mut rng, habit.delay));
            let customer_upset = messages
                .last()
                .is_some_and(|m| m.0 == "customer" && lines.angry.contains(&m.2.as_str()));
            let text = if round == 0 && chance(&mut rng, habit.greeting) {
                pick(&mut rng, lines.greeting).to_string()
            } else if customer_upset && chance(&mut rng, habit.apology) {
                pick(&mut rng, lines.apology).to_string()
            } else if chance(&mut rng, habit.fatal) {
                pick(&mut rng, lines.fatal).to_string()
            } else if chance(&mut rng, habit.curt) {
                pick(&mut rng, lines.curt).to_string()
            } else if !upsold && round >= 2 && chance(&mut rng, habit.upsell) {
                upsold = true;
                pick(&mut rng, lines.upsell).to_string()
            } else {
                // Agents rarely repeat themselves word for word: pick again once if so.
                let previous = messages
                    .iter()
                    .rev()
                    .find(|m| m.0 == "agent")
                    .map(|m| m.2.clone());
                let mut answer = pick(&mut rng, lines.answer);
                if previous.as_deref() == Some(answer) {
                    answer = pick(&mut rng, lines.answer);
                }
                answer.to_string()
            };
            messages.push(("agent", t, text));
            if round == 0 {
                t = t.plus_seconds(3.0 + rng.unit() * 10.0);
                messages.push(("agent", t, pick(&mut rng, lines.answer).to_string()));
            }
            if round + 1 == rounds {
                if chance(&mut rng, habit.closing) {
                    t = t.plus_seconds(2.0 + rng.unit() * 8.0);
                    messages.push(("agent", t, pick(&mut rng, lines.closing).to_string()));
                }
                break;
            }
            // The customer's next message(s).
            t = t.plus_seconds(5.0 + rng.unit() * 60.0);
            let text = if upsold && buys && chance(&mut rng, 0.6) {
                pick(&mut rng, lines.accept)
            } else if angry && round == 1 {
                pick(&mut rng, lines.angry)
            } else if round + 2 == rounds {
                pick(&mut rng, lines.thanks)
            } else {
                pick(&mut rng, lines.follow_up)
            };
            messages.push(("customer", t, text.to_string()));
            if chance(&mut rng, 0.2) {
                t = t.plus_seconds(3.0 + rng.unit() * 20.0);
                messages.push(("customer", t, pick(&mut rng, lines.follow_up).to_string()));
            }
        }
        let agent = format!("a{:02}-{}", agent_no + 1, habit.name);
        let _ = write!(
            line,
            r#"{{"id":"g{n}","platform":"{platform}","shop":"shop{}","channel":"chat","agent":"{agent}","customer":"b{}","messages":["#,
            1 + agent_no % 3,
            rng.below(1_000_000)
        );
        for (i, (role, at, text)) in messages.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let _ = write!(
                line,
                r#"{{"role":"{role}","at":{},"text":{}}}"#,
                at.millis,
                serde_json::to_string(text).unwrap_or_default()
            );
        }
        line.push(']');
        if buys {
            let _ = write!(
                line,
                r#","orders":[{{"event":"placed","at":{}}},{{"event":"paid","at":{}}}]"#,
                t.millis + 60_000,
                t.millis + 120_000
            );
        } else if n % 2 == 0 {
            line.push_str(r#","orders":[]"#);
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
