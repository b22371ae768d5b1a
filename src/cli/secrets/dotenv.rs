//! Reading secrets from a dotenv file or from `KEY=VALUE` arguments.
//!
//! The file format is the one python-dotenv reads (what a Pipecat bot
//! loads its `.env` with when run locally), so the same file gives the
//! same values in the cloud:
//!
//! - blank lines and lines starting with `#` are skipped; CRLF line ends
//!   are read as LF;
//! - `export KEY=VALUE` is `KEY=VALUE`; spaces around `=` are dropped;
//! - a value in single quotes is taken literally; in double quotes,
//!   `\n`, `\t`, `\r`, `\"`, `\'` and `\\` are escapes; either kind may
//!   span lines and hold `#` and `=`;
//! - an unquoted value ends at a `#` that follows a space or tab (a
//!   comment) and loses its trailing spaces; `=` inside it is kept;
//! - `KEY=` is the empty value.
//!
//! Unlike python-dotenv, `${VAR}` is never expanded: a secret is stored
//! exactly as written. Errors name the file and line, never a value.

/// One `KEY=VALUE` read, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// The line it starts on (1-based), or the argument's position.
    pub line: usize,
}

/// Parses a dotenv `text`; `name` (the file) prefixes error messages.
pub fn parse(name: &str, text: &str) -> Result<Vec<Entry>, String> {
    let text = text.replace("\r\n", "\n");
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        line: 1,
    };
    let mut entries = Vec::new();
    loop {
        parser.skip_blank();
        let Some(c) = parser.peek() else { break };
        if c == '\n' {
            parser.bump();
            continue;
        }
        if c == '#' {
            parser.skip_line();
            continue;
        }
        let line = parser.line;
        let entry = parser
            .binding()
            .map_err(|why| format!("{name}:{line}: {why}"))?;
        entries.push(Entry {
            key: entry.0,
            value: entry.1,
            line,
        });
    }
    Ok(entries)
}

/// Parses `KEY=VALUE` arguments as the official CLI does: spaces around
/// the key and the value are dropped, and one pair of double quotes
/// around the value. `line` is the argument's position (1-based).
pub fn parse_pairs(pairs: &[String]) -> Result<Vec<Entry>, String> {
    pairs
        .iter()
        .enumerate()
        .map(|(index, pair)| {
            let Some((key, value)) = pair.split_once('=') else {
                // Never the argument itself: it may be a value.
                return Err(format!(
                    "secret {} has no `=`: pass KEY=VALUE pairs",
                    index + 1
                ));
            };
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Ok(Entry {
                key: key.trim().to_string(),
                value: value.to_string(),
                line: index + 1,
            })
        })
        .collect()
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Spaces and tabs (not line ends).
    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// The rest of the line must be blank or a comment.
    fn end_of_line(&mut self, after: &str) -> Result<(), String> {
        self.skip_blank();
        match self.peek() {
            None => Ok(()),
            Some('\n') | Some('#') => {
                self.skip_line();
                Ok(())
            }
            Some(_) => Err(format!("unexpected text after {after}")),
        }
    }

    fn binding(&mut self) -> Result<(String, String), String> {
        let mut key = self.word();
        if key == "export" && matches!(self.peek(), Some(' ' | '\t')) {
            self.skip_blank();
            key = self.word();
        }
        self.skip_blank();
        if key.is_empty() || self.peek() != Some('=') {
            return Err(match key.is_empty() {
                true => "expected KEY=VALUE".to_string(),
                false => format!("expected `=` after {key}"),
            });
        }
        self.bump();
        self.skip_blank();
        let value = match self.peek() {
            Some('\'') => {
                let value = self.quoted('\'', &key)?;
                self.end_of_line(&format!("the quoted value of {key}"))?;
                value
            }
            Some('"') => {
                let value = self.quoted('"', &key)?;
                self.end_of_line(&format!("the quoted value of {key}"))?;
                value
            }
            _ => self.unquoted(),
        };
        Ok((key, value))
    }

    /// A key: up to a space, a tab, `=`, `#` or the line's end.
    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '=' | '#' | '\n') {
                break;
            }
            word.push(c);
            self.bump();
        }
        word
    }

    fn quoted(&mut self, quote: char, key: &str) -> Result<String, String> {
        let start = self.line;
        self.bump();
        let mut value = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(format!(
                    "the value of {key} opens a quote (line {start}) that is never closed"
                ));
            };
            match c {
                c if c == quote => return Ok(value),
                '\\' if quote == '"' => match self.bump() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('r') => value.push('\r'),
                    Some(c @ ('"' | '\'' | '\\')) => value.push(c),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                },
                c => value.push(c),
            }
        }
    }

    fn unquoted(&mut self) -> String {
        let mut value = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' {
                self.bump();
                break;
            }
            if c == '#' && (value.is_empty() || value.ends_with([' ', '\t'])) {
                self.skip_line();
                break;
            }
            value.push(c);
            self.bump();
        }
        value.trim_end_matches([' ', '\t']).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(".env", text)
            .unwrap()
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    fn pair(key: &str, value: &str) -> (String, String) {
        (key.to_string(), value.to_string())
    }

    #[test]
    fn reads_the_lines_a_dotenv_file_has() {
        let text = "# a comment\n\
                    \n\
                    PLAIN=value\n\
                    export EXPORTED=yes\n\
                    \x20 SPACED  =  around  \n\
                    DOUBLE=\"two words # not a comment\"\n\
                    SINGLE='single # quoted'\n\
                    LITERAL='a \\n b $HOME'\n\
                    ESCAPED=\"line\\nnext \\\"q\\\"\"\n\
                    EQUALS=a=b==c\n\
                    COMMENTED=value # a comment\n\
                    HASH=abc#def\n\
                    EMPTY=\n\
                    EMPTY_QUOTED=\"\"\n\
                    MULTI=\"first\n\
                    second\"\n\
                    TRAILING=\"x\"   # fine\n";
        assert_eq!(
            pairs(text),
            [
                pair("PLAIN", "value"),
                pair("EXPORTED", "yes"),
                pair("SPACED", "around"),
                pair("DOUBLE", "two words # not a comment"),
                pair("SINGLE", "single # quoted"),
                pair("LITERAL", "a \\n b $HOME"),
                pair("ESCAPED", "line\nnext \"q\""),
                pair("EQUALS", "a=b==c"),
                pair("COMMENTED", "value"),
                pair("HASH", "abc#def"),
                pair("EMPTY", ""),
                pair("EMPTY_QUOTED", ""),
                pair("MULTI", "first\nsecond"),
                pair("TRAILING", "x"),
            ]
        );
    }

    #[test]
    fn crlf_files_read_as_lf_files() {
        assert_eq!(
            pairs("A=1\r\nB=\"two words\"\r\n# c\r\nC=3"),
            [pair("A", "1"), pair("B", "two words"), pair("C", "3")]
        );
    }

    #[test]
    fn entries_know_their_line() {
        let entries = parse(".env", "\n# c\nA=1\nB=\"x\ny\"\nC=3\n").unwrap();
        let lines: Vec<usize> = entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 6]);
    }

    #[test]
    fn errors_name_the_line_and_never_the_value() {
        let err = parse("prod.env", "A=1\nB=\"sk-live-123\n").unwrap_err();
        assert!(err.starts_with("prod.env:2: "), "{err}");
        assert!(err.contains("never closed"), "{err}");
        assert!(!err.contains("sk-live"), "{err}");
        let err = parse("prod.env", "A=1\nJUST_A_WORD\n").unwrap_err();
        assert_eq!(err, "prod.env:2: expected `=` after JUST_A_WORD");
        let err = parse("prod.env", "A='sk-live-123' extra\n").unwrap_err();
        assert_eq!(
            err,
            "prod.env:1: unexpected text after the quoted value of A"
        );
        let err = parse("prod.env", "=value\n").unwrap_err();
        assert_eq!(err, "prod.env:1: expected KEY=VALUE");
    }

    #[test]
    fn pairs_read_as_the_official_cli_reads_them() {
        let entries = parse_pairs(&[
            "A=1".into(),
            " B = \"two words\" ".into(),
            "C=x=y".into(),
            "D=".into(),
        ])
        .unwrap();
        let read: Vec<(String, String)> = entries.into_iter().map(|e| (e.key, e.value)).collect();
        assert_eq!(
            read,
            [
                pair("A", "1"),
                pair("B", "two words"),
                pair("C", "x=y"),
                pair("D", "")
            ]
        );
        let err = parse_pairs(&["A=1".into(), "sk-live-123".into()]).unwrap_err();
        assert_eq!(err, "secret 2 has no `=`: pass KEY=VALUE pairs");
    }
}
