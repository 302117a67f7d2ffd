//! The WebAssembly build gives exactly the native results for every rule example: same hits,
//! same spans (as UTF-16 offsets), same scores. Runs through the JavaScript binding, in Node and
//! in headless Chromium: `wasm-pack test --node -- --no-default-features --test wasm_parity`.
#![cfg(target_arch = "wasm32")]

use serde::Deserialize;
use wasm_bindgen_test::*;
use zhijian::wasm::Checker;

#[derive(Deserialize, Debug, PartialEq)]
struct JsHint {
    rule: String,
    start: usize,
    end: usize,
    suggestions: Vec<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct JsMarker {
    rule: String,
    start: usize,
    end: usize,
}

#[derive(Deserialize, Debug)]
struct JsReport {
    language: String,
    score: u32,
    politeness: f64,
    fatal: bool,
    hints: Vec<JsHint>,
    markers: Vec<JsMarker>,
}

#[wasm_bindgen_test]
fn every_rule_example_matches_the_native_report() {
    let checker = Checker::new(None).unwrap_or_else(|_| panic!("the checker builds"));
    let expected = include_str!("golden/examples.jsonl");
    let mut count = 0;
    for line in expected.lines() {
        let e: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let text = e["text"].as_str().expect("text");
        let value = checker
            .check(text)
            .unwrap_or_else(|_| panic!("check {text:?}"));
        let got: JsReport = serde_wasm_bindgen::from_value(value).expect("a report");
        assert_eq!(got.language, e["language"], "{text:?}");
        assert_eq!(
            got.score as u64,
            e["score"].as_u64().expect("score"),
            "{text:?}"
        );
        assert_eq!(
            got.politeness,
            e["politeness"].as_f64().expect("politeness"),
            "{text:?}"
        );
        assert_eq!(got.fatal, e["fatal"].as_bool().expect("fatal"), "{text:?}");
        let hints: Vec<JsHint> = e["hints"]
            .as_array()
            .expect("hints")
            .iter()
            .map(|h| JsHint {
                rule: h[0].as_str().expect("rule").into(),
                start: h[1].as_u64().expect("start") as usize,
                end: h[2].as_u64().expect("end") as usize,
                suggestions: serde_json::from_value(h[3].clone()).expect("suggestions"),
            })
            .collect();
        assert_eq!(got.hints, hints, "{text:?}");
        let markers: Vec<JsMarker> = e["markers"]
            .as_array()
            .expect("markers")
            .iter()
            .map(|m| JsMarker {
                rule: m[0].as_str().expect("rule").into(),
                start: m[1].as_u64().expect("start") as usize,
                end: m[2].as_u64().expect("end") as usize,
            })
            .collect();
        assert_eq!(got.markers, markers, "{text:?}");
        count += 1;
    }
    assert!(count > 400, "only {count} examples");
}
