//! Fits the English pack's politeness weights on the Stanford Politeness Corpus (Wikipedia part).
//!
//! Method, as in Danescu-Niculescu-Mizil et al. (ACL 2013): requests in the top quartile of
//! `Normalized Score` are polite, those in the bottom quartile impolite, the middle half is left
//! out. Each request is checked with the English pack; the features are the politeness strategies
//! it finds (binary): the strategies of the rules in category `politeness` (the paper's
//! strategies) are fitted; the others (insults, condescension, shouting…, rare or absent in
//! Wikipedia requests) keep the hand-set weights already in the pack file. An L2-regularised logistic regression is trained by gradient descent;
//! accuracy is 10-fold cross-validated over a fixed shuffle, then the model is refitted on all of
//! the data and printed as the `[pack.politeness]` table of `rules/en/pack.toml`.
//!
//! ```text
//! cargo run --release --example fit_politeness -- ../shared/eval/stanford-politeness/wikipedia.annotated.csv [--write rules/en/pack.toml]
//! ```

use std::collections::BTreeSet;

use zhijian::{Checker, Language, Pack};

const FOLDS: usize = 10;
const L2: f64 = 0.01;
const EPOCHS: usize = 400;
const LEARNING_RATE: f64 = 0.5;

/// Splits one CSV record (RFC 4180 quoting) into fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Returns (intercept, weights).
fn train(x: &[Vec<f64>], y: &[f64], features: usize) -> (f64, Vec<f64>) {
    let mut b = 0.0;
    let mut w = vec![0.0; features];
    let n = x.len() as f64;
    for _ in 0..EPOCHS {
        let mut gb = 0.0;
        let mut gw = vec![0.0; features];
        for (xi, yi) in x.iter().zip(y) {
            let z = b + xi.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>();
            let err = sigmoid(z) - yi;
            gb += err;
            for (g, a) in gw.iter_mut().zip(xi) {
                *g += err * a;
            }
        }
        b -= LEARNING_RATE * gb / n;
        for (wj, g) in w.iter_mut().zip(&gw) {
            *wj -= LEARNING_RATE * (g / n + L2 * *wj);
        }
    }
    (b, w)
}

fn accuracy(b: f64, w: &[f64], x: &[Vec<f64>], y: &[f64]) -> f64 {
    let correct = x
        .iter()
        .zip(y)
        .filter(|(xi, yi)| {
            let z = b + xi.iter().zip(w).map(|(a, c)| a * c).sum::<f64>();
            (z > 0.0) == (**yi > 0.5)
        })
        .count();
    correct as f64 / x.len() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: fit_politeness CORPUS.csv [--write PACK.toml]")?;
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1));

    let rows = parse_csv(&std::fs::read_to_string(path)?);
    let header = rows.first().ok_or("empty corpus")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let (text_col, score_col) = (col("Request")?, col("Normalized Score")?);
    let mut data: Vec<(String, f64)> = rows[1..]
        .iter()
        .filter_map(|r| Some((r.get(text_col)?.clone(), r.get(score_col)?.parse().ok()?)))
        .collect();
    let mut scores: Vec<f64> = data.iter().map(|d| d.1).collect();
    scores.sort_by(f64::total_cmp);
    let q1 = scores[scores.len() / 4];
    let q3 = scores[scores.len() * 3 / 4];
    data.retain(|d| d.1 <= q1 || d.1 >= q3);

    // The English pack as built into the crate, without the weights being fitted.
    let sources = zhijian::defaults::sources()
        .iter()
        .find(|(dir, _)| *dir == "rules/en")
        .ok_or("no built-in English pack")?
        .1;
    let pack = Pack::from_sources(sources)?;
    let fitted: BTreeSet<String> = pack
        .rules()
        .iter()
        .filter(|r| &*r.category == "politeness")
        .filter_map(|r| r.strategy.as_deref().map(String::from))
        .collect();
    let mut checker = Checker::new(vec![pack]);
    checker.set_language(Some(Language::En));
    let found: Vec<Vec<String>> = data
        .iter()
        .map(|(t, _)| {
            checker
                .check(t)
                .strategies
                .iter()
                .map(|s| s.to_string())
                .collect()
        })
        .collect();
    let names: Vec<String> = fitted.into_iter().collect();
    let x: Vec<Vec<f64>> = found
        .iter()
        .map(|s| {
            names
                .iter()
                .map(|n| f64::from(u8::from(s.contains(n))))
                .collect()
        })
        .collect();
    let y: Vec<f64> = data
        .iter()
        .map(|d| f64::from(u8::from(d.1 >= q3)))
        .collect();

    // A fixed shuffle (xorshift) so that the folds, and the figure, are reproducible.
    let mut order: Vec<usize> = (0..x.len()).collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut fold_accuracy = Vec::new();
    for fold in 0..FOLDS {
        let (mut tx, mut ty, mut vx, mut vy) = (vec![], vec![], vec![], vec![]);
        for (k, &i) in order.iter().enumerate() {
            if k % FOLDS == fold {
                vx.push(x[i].clone());
                vy.push(y[i]);
            } else {
                tx.push(x[i].clone());
                ty.push(y[i]);
            }
        }
        let (b, w) = train(&tx, &ty, names.len());
        fold_accuracy.push(accuracy(b, &w, &vx, &vy));
    }
    let mean = fold_accuracy.iter().sum::<f64>() / FOLDS as f64;
    let sd = (fold_accuracy
        .iter()
        .map(|a| (a - mean).powi(2))
        .sum::<f64>()
        / FOLDS as f64)
        .sqrt();
    let polite = y.iter().filter(|v| **v > 0.5).count();
    eprintln!(
        "{} requests ({} polite, {} impolite), {} strategies; {FOLDS}-fold CV accuracy {:.1}% ± {:.1}",
        x.len(),
        polite,
        x.len() - polite,
        names.len(),
        mean * 100.0,
        sd * 100.0
    );

    let (b, w) = train(&x, &y, names.len());
    // Hand-set weights of the other strategies, as the pack file has them now.
    let pack_file = write.map_or("rules/en/pack.toml", String::as_str);
    let current: toml::Table = toml::from_str(&std::fs::read_to_string(pack_file)?)?;
    let hand_set: Vec<(String, f64)> = current
        .get("pack")
        .and_then(|p| p.get("politeness"))
        .and_then(|p| p.get("weights"))
        .and_then(|w| w.as_table())
        .map(|t| {
            t.iter()
                .filter(|(k, _)| !names.contains(k))
                .filter_map(|(k, v)| Some((k.clone(), v.as_float()?)))
                .collect()
        })
        .unwrap_or_default();
    let mut table = format!(
        "[pack.politeness]\nintercept = {b:.3}\nsource = \"fitted by examples/fit_politeness.rs on the Stanford Politeness Corpus (Wikipedia), top vs bottom quartile: {FOLDS}-fold CV accuracy {:.1}%\"\n[pack.politeness.weights]\n",
        mean * 100.0
    );
    for (name, weight) in names.iter().zip(&w) {
        table.push_str(&format!("{name} = {weight:.3}\n"));
    }
    table.push_str("# hand-set: support-desk strategies the corpus does not cover\n");
    for (name, weight) in &hand_set {
        table.push_str(&format!("{name} = {weight:.3}\n"));
    }
    print!("{table}");
    if write.is_some() {
        let text = std::fs::read_to_string(pack_file)?;
        let kept = text
            .split("[pack.politeness]")
            .next()
            .unwrap_or(&text)
            .trim_end();
        std::fs::write(pack_file, format!("{kept}\n\n{table}"))?;
        eprintln!("wrote {pack_file}");
    }
    Ok(())
}
