//! Nothing panics on any text, and every span stays inside the text and agrees with itself.
//! (A panic in WebAssembly kills the module in the agent's page.)

use zhijian::{Checker, Language, Report};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "亲",
    "您好",
    "不知道",
    "你自己看",
    "！",
    "!",
    "？",
    "。",
    "~",
    "微",
    "信",
    "v",
    "x",
    "Ｖ",
    "Ｘ",
    " ",
    "-",
    "1",
    "3",
    "8",
    "一",
    "三",
    "八",
    "😀",
    "👍🏽",
    "\u{200B}",
    "\u{0301}",
    "\u{0000}",
    "\u{001B}",
    "\t",
    "\n",
    "\r",
    "e",
    "\u{FFFD}",
    "𠀀",
    "這個",
    "沒辦法",
    "PLEASE",
    "calm down",
    "As I said",
    "@",
    "a.b",
    "http://x.cn",
    "6222021234567890128",
    "11010519491231002X",
    "[[",
    "]]",
    "\\",
    "$1",
    "嗯",
];

fn assert_consistent(text: &str, report: &Report) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let char_starts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = char_starts.len() - 1;
    let spans = report
        .hints
        .iter()
        .map(|h| (&h.span, &h.text))
        .chain(report.markers.iter().map(|m| (&m.span, &m.text)));
    for (span, covered) in spans {
        assert!(
            span.start < span.end && span.end <= chars,
            "{span:?} in {text:?}"
        );
        assert!(span.end_utf16 <= units.len(), "{span:?} in {text:?}");
        assert_eq!(&text[span.start_byte..span.end_byte], covered.as_str());
        let by_chars = &text[char_starts[span.start]..char_starts[span.end]];
        assert_eq!(by_chars, covered);
        let by_units = String::from_utf16(&units[span.start_utf16..span.end_utf16]).expect("utf16");
        assert_eq!(&by_units, covered);
    }
    assert!(report.score <= 100);
    assert!((0.0..=100.0).contains(&report.politeness));
}

#[test]
fn random_texts_never_panic_and_spans_hold() {
    let checker = Checker::with_default_packs().expect("default packs load");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = 1 + rng.next() % 24;
        let text: String = (0..len).map(|_| *rng.pick(PIECES)).collect();
        let report = checker.check(&text);
        assert_consistent(&text, &report);
        for h in &report.hints {
            for s in &h.suggestions {
                let _ = checker.check(&h.apply(&text, s));
            }
        }
    }
}

#[test]
fn empty_and_blank_messages() {
    let checker = Checker::with_default_packs().expect("default packs load");
    for text in ["", " ", "\n", "\u{3000}", "\u{200B}", "。", "~", "😀"] {
        let report = checker.check(text);
        assert!(report.hints.is_empty(), "{text:?}: {:?}", report.hints);
        assert_eq!(report.score, 100);
    }
}

#[test]
fn megabyte_inputs_of_every_shape() {
    let checker = Checker::with_default_packs().expect("default packs load");
    let mut rng = Rng(42);
    let random: String = (0..200_000).map(|_| *rng.pick(PIECES)).collect();
    let shapes = [
        random,
        "！".repeat(350_000),
        "傻逼".repeat(180_000),
        "1".repeat(1_000_000),
        "13812345678 ".repeat(85_000),
        "难道".repeat(180_000),
        "a".repeat(1_000_000),
        "PLEASE ".repeat(150_000),
        "亲，您好，请问有什么可以帮您？".repeat(25_000),
    ];
    for text in &shapes {
        for language in [Language::Zh, Language::En] {
            let mut c = Checker::with_default_packs().expect("default packs load");
            c.set_language(Some(language));
            let report = c.check(text);
            assert_consistent(text, &report);
        }
        let _ = checker.check(text);
    }
}

#[test]
fn lossy_text_from_javascript_is_just_text() {
    // Lone surrogates from JavaScript arrive as U+FFFD after lossy conversion.
    let text = String::from_utf16_lossy(&[0xD800, 0x4EB2, 0xDC00, 0x4E0D, 0x77E5, 0x9053]);
    let checker = Checker::with_default_packs().expect("default packs load");
    let report = checker.check(&text);
    assert_consistent(&text, &report);
    assert!(report.hints.iter().any(|h| h.text == "不知道"));
}

/// Compiled packs arrive from anywhere (a file, a page's fetch): damaged bytes give an error, and
/// bytes that still load give a pack that checks without panicking.
#[test]
fn damaged_compiled_packs_are_errors_not_panics() {
    let mut rng = Rng(0x5EED_F0DD_B17E);
    let texts = [
        "亲，这个我不知道，你自己看吧！！！",
        "加我微信 wx123456，便宜卖你，身份证号码发我",
        "Calm down, that's not my problem. Contact me at a@b.com",
    ];
    for (_, file, bytes) in zhijian::defaults::compiled() {
        let mut loaded = 0;
        for round in 0..400 {
            let mut damaged = bytes.to_vec();
            if round % 4 == 0 {
                damaged.truncate((rng.next() % bytes.len() as u64) as usize);
            } else {
                for _ in 0..=round % 3 {
                    let at = (rng.next() % damaged.len() as u64) as usize;
                    damaged[at] = rng.next() as u8;
                }
            }
            let Ok(pack) = zhijian::Pack::from_compiled(file, &damaged) else {
                continue;
            };
            loaded += 1;
            let checker = Checker::new(vec![pack]);
            for text in texts {
                let report = checker.check(text);
                assert!(report.score <= 100, "{file}, round {round}");
            }
        }
        // Most single-byte changes land in text, which still loads: both paths are exercised.
        assert!(loaded > 0, "{file}: no damaged copy loaded");
    }
}
