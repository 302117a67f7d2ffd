//! Every rule example of the built-in packs, checked natively and written as the JavaScript API
//! reports it (UTF-16 offsets). tests/wasm_parity.rs runs the same texts through the WebAssembly
//! build, in Node and in headless Chromium, and must find exactly this. Refresh with
//! `UPDATE_GOLDEN=1 cargo test --test example_reports`.

use zhijian::pack::examples::example_texts;
use zhijian::Checker;

#[test]
fn example_reports_are_up_to_date() {
    let checker = Checker::with_default_packs().expect("default packs load");
    let mut texts: Vec<String> = checker.packs().iter().flat_map(example_texts).collect();
    texts.extend(
        [
            "😀😀你去申请退款！！",
            "𠀀𠀀你是白痴吗",
            "Café 👍🏽 calm down please",
        ]
        .map(String::from),
    );
    let mut out = String::new();
    for text in &texts {
        let r = checker.check(text);
        let hints: Vec<_> = r
            .hints
            .iter()
            .map(|h| {
                serde_json::json!([h.rule, h.span.start_utf16, h.span.end_utf16, h.suggestions])
            })
            .collect();
        let markers: Vec<_> = r
            .markers
            .iter()
            .map(|m| serde_json::json!([m.rule, m.span.start_utf16, m.span.end_utf16]))
            .collect();
        let line = serde_json::json!({
            "text": text, "language": r.language, "score": r.score, "politeness": r.politeness,
            "fatal": r.fatal, "hints": hints, "markers": markers,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/examples.jsonl");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &out).expect("write");
        return;
    }
    let expected = std::fs::read_to_string(path)
        .expect("tests/golden/examples.jsonl (UPDATE_GOLDEN=1 creates it)");
    assert!(
        expected == out,
        "tests/golden/examples.jsonl is stale: UPDATE_GOLDEN=1 cargo test --test example_reports"
    );
}
