//! False alarms are how such tools die: agents mute them. These corpora of realistic, acceptable
//! agent replies (Chinese e-commerce register, and English support chat) must give no major or
//! fatal hint. A failure lists every offending line with the rule and the characters.

use zhijian::{Checker, Language, Severity};

fn assert_acceptable(file: &str, language: Language, at_least: usize) {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("read corpus");
    let mut checker = Checker::with_default_packs().expect("default packs load");
    checker.set_language(Some(language));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() >= at_least,
        "{file} has {} replies, want {at_least}",
        lines.len()
    );
    let mut alarms = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        for hint in checker.check(line).hints {
            if hint.severity <= Severity::Major {
                alarms.push(format!(
                    "{file}:{}: {} {:?} in {line:?}",
                    n + 1,
                    hint.rule,
                    hint.text
                ));
            }
        }
    }
    assert!(
        alarms.is_empty(),
        "{} false alarm(s):\n{}",
        alarms.len(),
        alarms.join("\n")
    );
}

#[test]
fn chinese_replies_raise_no_false_alarm() {
    assert_acceptable("acceptable-zh.txt", Language::Zh, 300);
}

#[test]
fn english_replies_raise_no_false_alarm() {
    assert_acceptable("acceptable-en.txt", Language::En, 100);
}

#[test]
fn language_is_detected_for_every_corpus_line() {
    let checker = Checker::with_default_packs().expect("default packs load");
    for (file, language) in [
        ("acceptable-zh.txt", Language::Zh),
        ("acceptable-en.txt", Language::En),
    ] {
        let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
        for line in std::fs::read_to_string(path).expect("read corpus").lines() {
            assert_eq!(checker.check(line).language, language, "{line:?}");
        }
    }
}
