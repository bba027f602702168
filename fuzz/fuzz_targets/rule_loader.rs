//! The rule loader with an arbitrary user file layered on the built-in
//! rules, as a relation file, an entity file or a gazetteer (chosen by the
//! first byte). Any outcome but a panic is fine: errors must be reported,
//! and rules that compile must extract without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::rules::{RuleSet, RuleSource};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let path = match which % 3 {
        0 => "relations/x.toml",
        1 => "entities/x.toml",
        _ => "gazetteers/x.tsv",
    };
    let layers = [RuleSource::builtin(), RuleSource::from_files("user", &[(path, text)])];
    match RuleSet::layered(&layers) {
        Ok(rules) => {
            let extractor = newsgraph::Extractor::new(std::sync::Arc::new(rules));
            extractor.extract("fuzz", "阿里云总裁王坚表示，杭州市政府2015年投资7.5亿元。“我们可以。”马云说。");
        }
        Err(errors) => {
            for e in &errors.0 {
                let _ = e.to_string();
            }
        }
    }
});
