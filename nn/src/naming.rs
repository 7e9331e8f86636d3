//! Keras's automatic layer names: the snake_case class name, then `_1`, `_2`, ... for later
//! instances (`simple_rnn`, `dense`, `dense_1`), as `keras/src/utils/naming.py` does.

use std::collections::HashMap;

/// Keras `to_snake_case`: drop non-word characters, put `_` before each capitalised word that
/// follows another character and between a lower-case letter and a capital, then lower-case
/// (`SimpleRNN` → `simple_rnn`, `LSTM` → `lstm`, `TimeDistributed` → `time_distributed`).
pub fn to_snake_case(name: &str) -> String {
    let s: Vec<char> = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // Pass 1, regex `(.)([A-Z][a-z]+)` -> `\1_\2`, leftmost non-overlapping matches.
    let mut p1: Vec<char> = Vec::with_capacity(s.len() + 4);
    let mut i = 0;
    while i < s.len() {
        let word_follows =
            i + 2 < s.len() && s[i + 1].is_ascii_uppercase() && s[i + 2].is_ascii_lowercase();
        if word_follows {
            let mut j = i + 2;
            while j < s.len() && s[j].is_ascii_lowercase() {
                j += 1;
            }
            p1.push(s[i]);
            p1.push('_');
            p1.extend_from_slice(&s[i + 1..j]);
            i = j;
        } else {
            p1.push(s[i]);
            i += 1;
        }
    }
    // Pass 2, regex `([a-z])([A-Z])` -> `\1_\2`, then lower-case.
    let mut out = String::with_capacity(p1.len() + 4);
    let mut i = 0;
    while i < p1.len() {
        if i + 1 < p1.len() && p1[i].is_ascii_lowercase() && p1[i + 1].is_ascii_uppercase() {
            out.push(p1[i]);
            out.push('_');
            out.push(p1[i + 1]);
            i += 2;
        } else {
            out.push(p1[i]);
            i += 1;
        }
    }
    out.to_lowercase()
}

/// Hands out unique names the way Keras's `uniquify` does within one session: the first
/// request for a base name gets it unchanged, later ones get `_1`, `_2`, ...
#[derive(Debug, Clone, Default)]
pub struct LayerNamer {
    uses: HashMap<String, usize>,
}

impl LayerNamer {
    /// A namer with no name used yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next automatic name for a layer of class `class_name` (e.g. `Dense` → `dense`,
    /// then `dense_1`).
    pub fn next_for_class(&mut self, class_name: &str) -> String {
        self.uniquify(&to_snake_case(class_name))
    }

    /// `base` the first time, then `base_1`, `base_2`, ...
    pub fn uniquify(&mut self, base: &str) -> String {
        let count = self.uses.entry(base.to_string()).or_insert(0);
        let name = if *count == 0 {
            base.to_string()
        } else {
            format!("{base}_{count}")
        };
        *count += 1;
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_matches_keras() {
        for (class, want) in [
            ("SimpleRNN", "simple_rnn"),
            ("Dense", "dense"),
            ("LSTM", "lstm"),
            ("GRU", "gru"),
            ("TimeDistributed", "time_distributed"),
            ("Conv2D", "conv2d"),
            ("RMSprop", "rm_sprop"),
            ("AdamW", "adam_w"),
            ("Sequential", "sequential"),
        ] {
            assert_eq!(to_snake_case(class), want, "{class}");
        }
    }

    #[test]
    fn names_are_uniquified_like_keras() {
        let mut n = LayerNamer::new();
        assert_eq!(n.next_for_class("SimpleRNN"), "simple_rnn");
        assert_eq!(n.next_for_class("Dense"), "dense");
        assert_eq!(n.next_for_class("Dense"), "dense_1");
        assert_eq!(n.next_for_class("Dense"), "dense_2");
        assert_eq!(n.uniquify("simple_rnn"), "simple_rnn_1");
    }
}
