//! Shell-style patterns with the exact semantics of Python's
//! `fnmatch.fnmatch` on POSIX: case-sensitive, `*` matches any run of
//! characters (slashes included), `?` any one character, `[...]` a set
//! (`[!...]` its complement), a `[` without a closing `]` is literal, and
//! a backslash is an ordinary character.
//!
//! The official client decides which files enter a build context with
//! `fnmatch`, and the context's hash is only shared between the two clients
//! if both pick the same files, so glob crates (which give `**`, `/` and
//! unclosed brackets other meanings) do not fit here.

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyChar,
    AnyRun,
    Set(Set),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Set {
    /// An empty set (`[z-a]`): matches nothing.
    Never,
    /// A complemented empty set (`[!z-a]`): matches any one character.
    Any,
    Items {
        negated: bool,
        /// Inclusive ranges; a single character is `(c, c)`.
        ranges: Vec<(char, char)>,
    },
}

impl Set {
    fn matches(&self, c: char) -> bool {
        match self {
            Set::Never => false,
            Set::Any => true,
            Set::Items { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun);
                    }
                }
                '?' => tokens.push(Token::AnyChar),
                '[' => match parse_set(&chars, i) {
                    Some((set, next)) => {
                        tokens.push(Token::Set(set));
                        i = next;
                    }
                    None => tokens.push(Token::Literal('[')),
                },
                c => tokens.push(Token::Literal(c)),
            }
        }
        Pattern {
            source: pattern.to_string(),
            tokens,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        // Every token but `*` consumes exactly one character, so one
        // backtrack point (the last `*`) is enough.
        let (mut t, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.tokens.get(t) {
                Some(Token::AnyRun) => {
                    star = Some((t, n));
                    t += 1;
                }
                Some(token) if single_matches(token, name[n]) => {
                    t += 1;
                    n += 1;
                }
                _ => match star {
                    Some((star_t, star_n)) => {
                        t = star_t + 1;
                        n = star_n + 1;
                        star = Some((star_t, star_n + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[t..].iter().all(|token| *token == Token::AnyRun)
    }
}

fn single_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Literal(l) => *l == c,
        Token::AnyChar => true,
        Token::Set(set) => set.matches(c),
        Token::AnyRun => false,
    }
}

/// Parse the set that starts after the `[` at `start - 1`. `None` when
/// there is no closing `]` (the `[` is then literal). Ranges are formed the
/// way Python's `fnmatch.translate` forms them: the first character (after
/// a `!`) never starts a range, the character after a range's end is never
/// a range's `-`, a trailing `-` is literal, and a range whose ends are out
/// of order is dropped together with its ends.
fn parse_set(chars: &[char], start: usize) -> Option<(Set, usize)> {
    let n = chars.len();
    let mut j = start;
    if j < n && chars[j] == '!' {
        j += 1;
    }
    if j < n && chars[j] == ']' {
        j += 1;
    }
    while j < n && chars[j] != ']' {
        j += 1;
    }
    if j >= n {
        return None;
    }
    let stuff = &chars[start..j];
    let chunks: Vec<Vec<char>> = if !stuff.contains(&'-') {
        vec![stuff.to_vec()]
    } else {
        let mut chunks: Vec<Vec<char>> = Vec::new();
        let mut from = start;
        let mut k = if chars[start] == '!' {
            start + 2
        } else {
            start + 1
        };
        while let Some(dash) = (k..j).find(|&p| chars[p] == '-') {
            chunks.push(chars[from..dash].to_vec());
            from = dash + 1;
            k = dash + 3;
        }
        let last = chars[from..j].to_vec();
        if last.is_empty() {
            if let Some(previous) = chunks.last_mut() {
                previous.push('-');
            }
        } else {
            chunks.push(last);
        }
        for k in (1..chunks.len()).rev() {
            if let (Some(lo), Some(hi)) = (chunks[k - 1].last(), chunks[k].first())
                && lo > hi
            {
                let tail: Vec<char> = chunks[k][1..].to_vec();
                chunks[k - 1].pop();
                chunks[k - 1].extend(tail);
                chunks.remove(k);
            }
        }
        chunks
    };
    Some((set_from_chunks(&chunks), j + 1))
}

/// The set the chunks stand for: consecutive chunks are joined by a range
/// (last character of one to first of the next), every other character is
/// itself.
fn set_from_chunks(chunks: &[Vec<char>]) -> Set {
    let total: usize = chunks.iter().map(Vec::len).sum();
    if total == 0 {
        return Set::Never;
    }
    let negated = chunks[0].first() == Some(&'!');
    if negated && total == 1 {
        return Set::Any;
    }
    let mut ranges = Vec::new();
    for (index, chunk) in chunks.iter().enumerate() {
        let skip_first = usize::from(index == 0 && negated);
        let body = &chunk[skip_first..];
        for (position, &c) in body.iter().enumerate() {
            let starts_range = position + 1 == body.len() && index + 1 < chunks.len();
            let ends_range = position == 0 && index > 0;
            if ends_range {
                let lo = *chunks[index - 1]
                    .last()
                    .expect("joined chunks are not empty");
                ranges.push((lo, c));
            } else if !starts_range {
                ranges.push((c, c));
            }
        }
    }
    Set::Items { negated, ranges }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, pattern: &str) -> bool {
        Pattern::new(pattern).matches(name)
    }

    #[test]
    fn stars_and_question_marks_cross_slashes() {
        assert!(m("a/b.pyc", "*.pyc"));
        assert!(m("a/b.pyc", "**/*.pyc"));
        assert!(!m("b.pyc", "**/*.pyc"));
        assert!(m(".env.local", ".env.*"));
        assert!(!m(".env", ".env.*"));
        assert!(m("a/b", "a?b"));
        assert!(m("", "*"));
        assert!(!m("", "?"));
        assert!(m("abcabd", "*abd"));
        assert!(!m("Venv", "venv"));
    }

    #[test]
    fn sets_follow_python() {
        assert!(m("b", "[abc]"));
        assert!(!m("d", "[abc]"));
        assert!(m("d", "[!abc]"));
        assert!(m("m", "[a-z]"));
        assert!(m("-", "[a-]"));
        assert!(m("]", "[]]"));
        assert!(m("x", "[!]]"));
        assert!(!m("a", "[z-a]"));
        assert!(m("a", "[!z-a]"));
        assert!(m("[", "["));
        assert!(m("[!]", "[!]"));
        assert!(m("\\", "[\\]"));
        assert!(m("a\\b", "a\\b"));
    }

    /// The same answers as Python's own `fnmatch.fnmatch` on a spread of
    /// awkward patterns (skipped without python3).
    #[test]
    fn agrees_with_python_fnmatch() {
        let patterns = [
            "*", "?", "[", "[]", "[]]", "[!]", "[!]]", "[a-c]", "[c-a]", "[!c-a]", "[a-]", "[-a]",
            "[!-a]", "[a-c-e]", "[a-cx-z]", "[z-ab-c]", "[c-b-a]", "[\\]", "[\\-z]", "[^a]", "[[]",
            "[&&]", "*.p[y]c", "a*b*c", "**", "*/x", "[--0]", "[!-]", "[a-a]", "[!a-]", "x[!]a]y",
        ];
        let names = [
            "", "a", "b", "c", "d", "x", "z", "-", "]", "[", "!", "^", "\\", "&", "/", "0", ".",
            "ab", "abc", "a/x", "f.pyc", "axbyc", "x]y", "xay", "xby",
        ];
        let Some(python) = crate::api::build_context::tests::python3() else {
            return;
        };
        let script = "import fnmatch, json, sys\n\
            cases = json.load(sys.stdin)\n\
            print(json.dumps([fnmatch.fnmatch(n, p) for p, n in cases]))\n";
        let cases: Vec<(&str, &str)> = patterns
            .iter()
            .flat_map(|p| names.iter().map(move |n| (*p, *n)))
            .collect();
        let output = crate::api::build_context::tests::run_python(
            &python,
            script,
            &serde_json::to_vec(&cases).unwrap(),
        );
        let expected: Vec<bool> = serde_json::from_slice(&output).unwrap();
        for ((pattern, name), want) in cases.iter().zip(expected) {
            assert_eq!(m(name, pattern), want, "fnmatch({name:?}, {pattern:?})");
        }
    }
}
