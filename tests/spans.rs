//! Spans point at what the agent typed: char offsets and UTF-16 offsets agree with the original
//! text through emoji, astral characters, full-width letters, traditional characters and
//! separators inserted to evade filters.

use std::sync::OnceLock;

use zhijian::{Checker, Hint, Language, Report};

/// One checker for every test: reports borrow from it.
fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::with_default_packs().expect("default packs load"))
}

/// The characters a hint covers, taken with its char offsets and with its UTF-16 offsets.
fn covered(text: &str, hint: &Hint) -> (String, String) {
    let by_chars: String = text
        .chars()
        .skip(hint.span.start)
        .take(hint.span.end - hint.span.start)
        .collect();
    let units: Vec<u16> = text.encode_utf16().collect();
    let by_utf16 = String::from_utf16(&units[hint.span.start_utf16..hint.span.end_utf16])
        .expect("utf16 slice");
    (by_chars, by_utf16)
}

fn hint<'a>(report: &'a Report, rule: &str) -> &'a Hint<'a> {
    report
        .hints
        .iter()
        .find(|h| h.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", report.hints))
}

#[test]
fn emoji_before_a_match_shift_utf16_but_not_char_offsets() {
    let text = "😀😀这个我不知道";
    let report = checker().check(text);
    let h = hint(&report, "zh/forbidden/dont-know");
    assert_eq!((h.span.start, h.span.end), (5, 8));
    assert_eq!((h.span.start_utf16, h.span.end_utf16), (7, 10));
    assert_eq!(covered(text, h), ("不知道".into(), "不知道".into()));
    assert_eq!(h.text, "不知道");
}

#[test]
fn astral_han_characters_count_as_two_utf16_units() {
    // U+20000 (𠀀) is a Han character outside the Basic Multilingual Plane.
    let text = "𠀀𠀀你是白痴吗";
    let report = checker().check(text);
    let h = hint(&report, "zh/insult/idiot");
    assert_eq!(covered(text, h), ("白痴".into(), "白痴".into()));
    assert_eq!(h.span.start_utf16, h.span.start + 2);
}

#[test]
fn full_width_and_spaced_out_evasions_map_back_to_the_typed_characters() {
    let text = "亲，加我 ＶＸ 或者 微 - 信 都行";
    let report = checker().check(text);
    let found: Vec<String> = report
        .hints
        .iter()
        .filter(|h| h.rule == "zh/diversion/wechat")
        .map(|h| covered(text, h).0)
        .collect();
    assert_eq!(found, ["ＶＸ", "微 - 信"]);
    assert!(report.fatal);
}

#[test]
fn traditional_characters_match_simplified_rules_and_keep_their_span() {
    let text = "這個我們沒辦法";
    let report = checker().check(text);
    let h = hint(&report, "zh/forbidden/no-way");
    assert_eq!(h.text, "沒辦法");
    assert_eq!(covered(text, h).0, "沒辦法");
}

#[test]
fn numerals_written_in_characters_are_read_as_digits() {
    let text = "电话：一三八 一二三四 五六七八";
    let report = checker().check(text);
    let h = hint(&report, "zh/privacy/mobile");
    assert_eq!(h.text, "一三八 一二三四 五六七八");
    assert_eq!(h.suggestions, ["138****5678"]);
}

#[test]
fn applying_a_suggestion_replaces_exactly_the_span() {
    let text = "😀亲，这个我不知道哦";
    let report = checker().check(text);
    let h = hint(&report, "zh/forbidden/dont-know");
    let fixed = h.apply(text, &h.suggestions[0]);
    assert_eq!(fixed, "😀亲，这个我我帮您确认一下哦");
    assert!(checker()
        .check(&fixed)
        .hints
        .iter()
        .all(|x| x.rule != h.rule));
}

#[test]
fn english_spans_with_emoji_and_combining_marks() {
    let text = "Café 👍🏽 calm down please";
    let report = checker().check_in(text, Language::En);
    let h = hint(&report, "en/tone/calm-down");
    assert_eq!(covered(text, h), ("calm down".into(), "calm down".into()));
}

#[test]
fn latin_phrases_match_whole_words_only() {
    let c = checker();
    assert!(c.check("I'll have a look").hints.is_empty());
    assert!(c
        .check("亲，new xbox 到货了")
        .hints
        .iter()
        .all(|h| h.category != "diversion"));
    assert!(c
        .check("亲，加我qq")
        .hints
        .iter()
        .any(|h| h.rule == "zh/diversion/qq"));
}

#[test]
fn prepared_patterns_give_the_reports_lazy_ones_do() {
    let prepared = Checker::with_default_packs().expect("default packs");
    let compiled = prepared.prepare();
    assert!(compiled > 10, "compiled {compiled} patterns");
    assert_eq!(prepared.prepare(), 0, "nothing left to compile");
    for text in [
        "您好，电话是13812345678",
        "亲，这个我不知道哦？！",
        "Call me at +1 415 555 0100!!",
    ] {
        let (a, b) = (prepared.check(text), checker().check(text));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text}");
    }
}
