//! Text from a server made safe to show on a terminal. Names, images,
//! regions, error messages and log lines come from the server; printed
//! raw, an escape in one could write to the clipboard (OSC 52), retitle
//! the window, clear the screen, move the cursor over what was printed,
//! or ring the bell. The CLI's output layer passes every piece of rich and
//! plain output through here on its way out (JSON output does not: JSON
//! escapes controls); the client cleans a server's error message here
//! before it looks for secrets to redact in it, so an escape cannot hide
//! one.
//!
//! The text is parsed as a terminal would parse it (anstyle-parse, the
//! parser behind clap's own colour handling), so a whole sequence goes,
//! not just its first byte: nothing of an OSC 52 payload is left behind.
//! C1 controls (U+0080 to U+009F, which some terminals obey in UTF-8 too)
//! are read as their two-character `ESC` forms, so they go the same way.

use std::borrow::Cow;

use anstyle_parse::{Params, Parser, Perform};

/// Text only: every escape sequence and control character goes, but line
/// breaks and tabs.
pub fn text(input: &str) -> Cow<'_, str> {
    clean(input, false)
}

/// Text and colours: as [`text`], but colour and style sequences (SGR,
/// `ESC [ ... m`) stay, and a line that leaves a colour on ends with a
/// reset, so it cannot colour the next. For log lines, where a program's
/// colours are part of what it wrote, and for views already painted.
pub fn coloured(input: &str) -> Cow<'_, str> {
    clean(input, true)
}

fn clean(input: &str, keep_colours: bool) -> Cow<'_, str> {
    if !input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    // Line by line, so a sequence left open can never swallow a line break.
    for (index, line) in input.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let mut kept = Kept {
            out: &mut out,
            keep_colours,
            coloured: false,
        };
        let mut parser: Parser = Parser::default();
        let mut utf8 = [0; 4];
        for c in line.chars() {
            if ('\u{80}'..='\u{9f}').contains(&c) {
                // A C1 control is ESC and the character 0x40 below it.
                parser.advance(&mut kept, 0x1b);
                parser.advance(&mut kept, c as u8 - 0x40);
            } else {
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    parser.advance(&mut kept, byte);
                }
            }
        }
        if kept.coloured {
            out.push_str("\x1b[0m");
        }
    }
    Cow::Owned(out)
}

/// Writes out what is kept of one line.
struct Kept<'a> {
    out: &'a mut String,
    keep_colours: bool,
    /// A kept colour is still on.
    coloured: bool,
}

impl Perform for Kept<'_> {
    fn print(&mut self, c: char) {
        if !c.is_control() {
            self.out.push(c);
        }
    }

    fn execute(&mut self, byte: u8) {
        if byte == b'\t' {
            self.out.push('\t');
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: u8) {
        if !(self.keep_colours && action == b'm' && intermediates.is_empty() && !ignore) {
            return;
        }
        let params: Vec<String> = params
            .iter()
            .map(|param| {
                param
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        self.out.push_str(&format!("\x1b[{}m", params.join(";")));
        self.coloured = !params.iter().all(|param| param == "0");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept_as_it_is() {
        let text = "my-agent\tus-west\nsecond line ✓";
        assert!(matches!(super::text(text), Cow::Borrowed(_)));
        assert!(matches!(coloured(text), Cow::Borrowed(_)));
    }

    #[test]
    fn every_escape_goes_whole() {
        let hostile = "a\x1b]52;c;cm0gLXJmIH4K\x07b\x1b]0;title\x1b\\c\x1b[2Jd\x1b[1;1He\
                       \x1b[?25lf\x1b[31mg\x1b[0mh\x07\x08\ri\x1bPdcs\x1b\\j\x1b7k";
        assert_eq!(text(hostile), "abcdefghijk");
    }

    #[test]
    fn c1_controls_go_with_what_they_start() {
        assert_eq!(text("a\u{9d}52;c;eA==\u{9c}b\u{9b}2Jc\u{85}d"), "abcd");
        assert_eq!(coloured("\u{9b}31mred"), "\x1b[31mred\x1b[0m");
    }

    #[test]
    fn colours_stay_only_when_asked_and_are_reset_at_the_end_of_a_line() {
        let line = "\x1b[1;32mgreen\x1b[0m plain \x1b[38:2:1:2:3mrgb\x1b[A\x1b[K";
        assert_eq!(
            coloured(line),
            "\x1b[1;32mgreen\x1b[0m plain \x1b[38:2:1:2:3mrgb\x1b[0m"
        );
        assert_eq!(text(line), "green plain rgb");
        // Not a colour: private (`ESC [ > ... m`) and cursor sequences.
        assert_eq!(coloured("a\x1b[>4;2mb\x1b[5Ac"), "abc");
        // A reset already there is not repeated (an empty one is spelt out).
        assert_eq!(coloured("\x1b[31mx\x1b[m"), "\x1b[31mx\x1b[0m");
    }

    #[test]
    fn an_open_sequence_never_swallows_a_line_break() {
        assert_eq!(text("a\x1b]52;c;open\nb\x1bPx\nc"), "a\nb\nc");
        assert_eq!(coloured("\x1b[31mred\nnext"), "\x1b[31mred\x1b[0m\nnext");
    }
}
