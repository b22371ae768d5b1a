//! Colours: whether a stream gets them, and the few styles used.

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Colours text for one stream, or leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// `--color always` colours; `never` does not; `auto` colours a
    /// terminal unless `NO_COLOR` is set (to anything but empty).
    pub fn new(choice: ColorChoice, is_terminal: bool, no_color: bool) -> Painter {
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        };
        Painter { enabled }
    }

    /// Colours are on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.enabled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

pub const DIM: Style = Style::new().dimmed();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const RED: Style = AnsiColor::Red.on_default();
pub const BLUE: Style = AnsiColor::Blue.on_default();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn painter_respects_the_choice_and_no_color() {
        assert_eq!(
            Painter::new(ColorChoice::Never, true, false).paint(RED, "x"),
            "x"
        );
        assert_ne!(
            Painter::new(ColorChoice::Always, false, true).paint(RED, "x"),
            "x"
        );
        assert_ne!(
            Painter::new(ColorChoice::Auto, true, false).paint(RED, "x"),
            "x"
        );
        assert_eq!(
            Painter::new(ColorChoice::Auto, true, true).paint(RED, "x"),
            "x"
        );
        assert_eq!(
            Painter::new(ColorChoice::Auto, false, false).paint(RED, "x"),
            "x"
        );
    }
}
