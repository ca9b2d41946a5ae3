//! Name normalisation shared by the model and hardware resolvers, and edit-distance ranking.

/// Lower-case tokens: runs of letters, and runs of digits (with dots between digits, so `3.1`
/// stays one token). A letter-digit change splits (`llama3` → `llama`, `3`; `rtx4090` → `rtx`,
/// `4090`), so `Llama-3.1`, `llama3.1` and `LLaMA 3.1` give the same tokens.
pub fn tokens(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.to_lowercase().chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_digit = false;
    for (i, &c) in chars.iter().enumerate() {
        let dot_in_number = c == '.'
            && cur_digit
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let class = if c.is_ascii_digit() || dot_in_number {
            Some(true)
        } else if c.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        match class {
            Some(d) if !cur.is_empty() && d == cur_digit => cur.push(c),
            Some(d) => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push(c);
                cur_digit = d;
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The `n` candidate labels closest to `query`, by edit distance between normalised forms (each
/// candidate is `(label, normalised forms)`; its best form counts). Ties keep candidate order.
pub fn closest_by_distance(
    query: &str,
    candidates: &[(String, Vec<String>)],
    n: usize,
) -> Vec<String> {
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, (label, forms))| {
            forms
                .iter()
                .map(|f| edit_distance(query, f))
                .min()
                .map(|d| (d, i, label.as_str()))
        })
        .collect();
    scored.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    for (_, _, label) in scored {
        if !out.iter().any(|o| o == label) {
            out.push(label.to_string());
        }
        if out.len() == n {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_letters_from_digits_and_keep_versions() {
        assert_eq!(
            tokens("Meta-Llama-3.1-8B"),
            ["meta", "llama", "3.1", "8", "b"]
        );
        assert_eq!(tokens("llama3.1:8b"), ["llama", "3.1", "8", "b"]);
        assert_eq!(tokens("RTX4090"), ["rtx", "4090"]);
        assert_eq!(tokens("v0.3."), ["v", "0.3"]);
    }

    #[test]
    fn distance_and_ranking() {
        assert_eq!(edit_distance("lama", "llama"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        let c = vec![
            ("dolphin".to_string(), vec!["dolphin 3 8 b".to_string()]),
            (
                "llama-3.1-8b".to_string(),
                vec!["llama 3.1 8 b".to_string()],
            ),
        ];
        assert_eq!(closest_by_distance("lama 3.1 8 b", &c, 1), ["llama-3.1-8b"]);
    }
}
