//! The politeness score orders messages the way a QA inspector would, in both languages.

use zhijian::Checker;

fn politeness(text: &str) -> f64 {
    Checker::with_default_packs()
        .expect("default packs load")
        .check(text)
        .politeness
}

/// Each message must score strictly more polite than the next.
fn assert_descending(ordered: &[&str]) {
    for pair in ordered.windows(2) {
        let (a, b) = (politeness(pair[0]), politeness(pair[1]));
        assert!(a > b, "{pair:?}: {a} vs {b}");
    }
}

#[test]
fn chinese_courtesy_raises_and_rudeness_lowers_politeness() {
    let ordered = [
        "亲，您好，非常抱歉让您久等了，麻烦您提供一下订单号，谢谢~",
        "您好，请提供一下订单号",
        "订单号发一下",
        "你去申请退款",
        "难道你没看详情页吗？？",
        "你是白痴吗",
    ];
    assert_descending(&ordered);
}

#[test]
fn english_strategies_order_like_the_stanford_annotators() {
    let ordered = [
        "Thanks so much for waiting! Could you please send a photo of the label?",
        "Could you send a photo of the label?",
        "Send a photo of the label.",
        "Why didn't you send the photo?",
        "Calm down, as I said you should have sent the photo!!",
    ];
    assert_descending(&ordered);
}

#[test]
fn score_credits_courtesy_but_never_above_100_and_fatal_is_zero() {
    let c = Checker::with_default_packs().expect("default packs load");
    let rude = c.check("这个我不知道");
    let softened = c.check("亲，抱歉，这个我不知道呢，谢谢您");
    assert!(
        softened.score > rude.score,
        "{} vs {}",
        softened.score,
        rude.score
    );
    assert!(softened.score <= 100);
    assert_eq!(c.check("加我微信吧，亲，谢谢您").score, 0);
    assert!(c.check("加我微信吧").fatal);
}
