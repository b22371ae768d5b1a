//! The views a command builds for a person: tables and key/value pairs,
//! rendered rich (light lines, fitted to the terminal) or plain
//! (tab-separated, one header line, nothing cut).

use std::borrow::Cow;

use comfy_table::{
    ColumnConstraint, ContentArrangement, LineStyle, Table as ComfyTable, TableStyle,
};

use super::format::Clock;

use pipecat_cloud::api::redact;
use pipecat_cloud::sanitize;

/// What a column holds, which says how it may be squeezed: only free text
/// wraps; an id, a name or a time is never broken (so it can be copied
/// with a double click).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier (session id, deployment id, key).
    Id,
    /// A name (agent, organization, image).
    Name,
    /// A timestamp.
    Time,
    /// A number, a count or a duration.
    Number,
    /// A short word from a small set (a status, yes/no, a region).
    Label,
    /// Free text (a message, an error): the only kind that wraps.
    Text,
}

impl Kind {
    fn wraps(self) -> bool {
        self == Kind::Text
    }
}

/// How much a column matters when the terminal is too narrow for all of
/// them: `Low` columns are hidden first, then `Normal` ones, then `High`
/// ones (the rightmost first within each); `Key` columns (what identifies
/// a row) never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Key,
}

/// A column of a [`Table`]: its title, what it holds, how much it matters.
#[derive(Debug, Clone)]
pub struct Column {
    title: &'static str,
    kind: Kind,
    priority: Priority,
    shortened: bool,
}

impl Column {
    pub fn new(title: &'static str, kind: Kind) -> Column {
        Column {
            title,
            kind,
            priority: Priority::Normal,
            shortened: false,
        }
    }

    pub fn id(title: &'static str) -> Column {
        Column::new(title, Kind::Id)
    }

    pub fn name(title: &'static str) -> Column {
        Column::new(title, Kind::Name)
    }

    pub fn time(title: &'static str) -> Column {
        Column::new(title, Kind::Time)
    }

    pub fn number(title: &'static str) -> Column {
        Column::new(title, Kind::Number)
    }

    pub fn label(title: &'static str) -> Column {
        Column::new(title, Kind::Label)
    }

    pub fn text(title: &'static str) -> Column {
        Column::new(title, Kind::Text)
    }

    /// What identifies a row: never hidden.
    pub fn key(mut self) -> Column {
        self.priority = Priority::Key;
        self
    }

    /// Hidden last when the terminal is too narrow (what a row is about,
    /// after what identifies it: a status).
    pub fn high(mut self) -> Column {
        self.priority = Priority::High;
        self
    }

    /// Hidden first when the terminal is too narrow.
    pub fn low(mut self) -> Column {
        self.priority = Priority::Low;
        self
    }

    /// Rich output shows only a recognisable prefix of each value (a key
    /// on a screen others may see); plain and JSON output show it whole.
    pub fn shortened(mut self) -> Column {
        self.shortened = true;
        self
    }
}

/// Rows under titled columns. Cells of time columns hold the API's RFC
/// 3339 text (or `-`); the table shows them in the zone of its [`Clock`].
#[derive(Debug, Clone)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    when_empty: Option<String>,
    footer: Option<String>,
}

/// The narrowest a wrapping column is squeezed to before columns are
/// hidden instead.
const TEXT_MIN_WIDTH: usize = 12;

/// Spaces between two columns.
const GAP: u16 = 2;

/// Light lines: no borders, no lines between columns, a rule under the
/// titles.
const LIGHT: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

impl Table {
    pub fn new(columns: impl IntoIterator<Item = Column>) -> Table {
        Table {
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
            when_empty: None,
            footer: None,
        }
    }

    /// A row: one cell per column, in order; whatever terminal escapes
    /// the cells hold (they come from a server) are dropped.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row.into_iter().map(clean).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many rows it has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The same table with its first `rows` rows only.
    pub(super) fn first(&self, rows: usize) -> Table {
        Table {
            rows: self.rows.iter().take(rows).cloned().collect(),
            ..self.clone()
        }
    }

    /// Without rows, rich output says this on stderr instead of drawing an
    /// empty table (plain output still prints the header line).
    pub fn when_empty(mut self, note: impl Into<String>) -> Table {
        self.when_empty = Some(clean(note.into()));
        self
    }

    /// A line under the table in rich output only (a summary for a
    /// person; plain output stays one table).
    pub fn footer(mut self, line: impl Into<String>) -> Table {
        self.footer = Some(clean(line.into()));
        self
    }

    pub(super) fn empty_note(&self) -> Option<&str> {
        self.when_empty.as_deref().filter(|_| self.rows.is_empty())
    }

    /// Columns under a rule, fitted to `width` when it is known: if the
    /// table is wider, columns are hidden (least important first, and
    /// said so under the table) until ids, names and times fit whole; only
    /// free text wraps. Times are short, their zone in the column title.
    pub(super) fn rich(&self, width: Option<u16>, clock: &Clock) -> String {
        let zone = clock.zone_label();
        let titles = self.columns.iter().map(|column| match column.kind {
            Kind::Time => format!("{} ({zone})", column.title),
            _ => column.title.to_string(),
        });
        let mut table = ComfyTable::new();
        table
            .load_style(LIGHT)
            .set_content_arrangement(ContentArrangement::Dynamic)
            // The width is `width`, not whatever comfy-table would find out
            // about stdout itself.
            .force_no_tty()
            .set_header(titles.collect::<Vec<_>>());
        for row in &self.rows {
            table.add_row(self.cells(row, |raw| clock.short(raw), true));
        }
        let content: Vec<usize> = table
            .column_max_content_widths()
            .into_iter()
            .map(usize::from)
            .collect();
        let mut hidden = Vec::new();
        if let Some(width) = width.map(usize::from) {
            let all = vec![true; self.columns.len()];
            if table_width(&content, &all, |_, width| width) > width {
                hidden = self.columns_to_hide(&content, width);
                let constraints = self.columns.iter().enumerate().map(|(i, column)| {
                    if hidden.contains(&i) {
                        ColumnConstraint::Hidden
                    } else if column.kind.wraps() {
                        // Whatever is left; comfy-table wraps the text.
                        ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                            TEXT_MIN_WIDTH.min(content[i]) as u16,
                        ))
                    } else {
                        ColumnConstraint::ContentWidth
                    }
                });
                table.set_constraints(constraints).set_width(width as u16);
            }
        }
        // A gap after every shown column but the last.
        let last_shown = (0..self.columns.len()).rev().find(|i| !hidden.contains(i));
        for (i, column) in table.column_iter_mut().enumerate() {
            let gap = if Some(i) == last_shown { 0 } else { GAP };
            column.set_padding((0, gap));
        }
        let mut text = format!("{}\n", table.trim_fmt());
        if let Some(width) = width {
            text.push_str(
                &self
                    .hidden_note(hidden, usize::from(width))
                    .unwrap_or_default(),
            );
        }
        if let Some(footer) = &self.footer {
            text.push_str(footer);
            text.push('\n');
        }
        text
    }

    /// A row's cells as shown: times through `time`, and the cells of
    /// shortened columns shortened when `shorten` (rich output; plain
    /// shows them whole).
    fn cells(&self, row: &[String], time: impl Fn(&str) -> String, shorten: bool) -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, cell)| match self.columns.get(i) {
                Some(column) if column.kind == Kind::Time => time(cell),
                Some(column) if shorten && column.shortened => redact(cell),
                _ => cell.clone(),
            })
            .collect()
    }

    /// Says which columns are hidden (if any), by name when that fits in
    /// `width`.
    fn hidden_note(&self, mut hidden: Vec<usize>, width: usize) -> Option<String> {
        if hidden.is_empty() {
            return None;
        }
        hidden.sort_unstable();
        let count = match hidden.len() {
            1 => "1 column".to_string(),
            n => format!("{n} columns"),
        };
        let titles: Vec<&str> = hidden.iter().map(|&i| self.columns[i].title).collect();
        let named = format!(
            "{count} hidden ({}); widen the terminal or use --output plain\n",
            titles.join(", ")
        );
        Some(if named.chars().count() <= width + 1 {
            named
        } else {
            format!("{count} hidden; widen the terminal or use --output plain\n")
        })
    }

    /// The columns to hide so the rest fit in `width` (given each
    /// column's content width): the least important first, the rightmost
    /// first among equals, never a key column; as few as possible.
    fn columns_to_hide(&self, content: &[usize], width: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.columns.len())
            .filter(|&i| self.columns[i].priority != Priority::Key)
            .collect();
        order.sort_by_key(|&i| (self.columns[i].priority, std::cmp::Reverse(i)));
        let narrowest = |i: usize, width: usize| {
            if self.columns[i].kind.wraps() {
                width.min(TEXT_MIN_WIDTH)
            } else {
                width
            }
        };
        let mut visible = vec![true; self.columns.len()];
        let mut hidden = Vec::new();
        for i in order {
            if table_width(content, &visible, narrowest) <= width {
                break;
            }
            visible[i] = false;
            hidden.push(i);
        }
        hidden
    }

    /// A header line and one line a row, tab-separated; nothing is cut,
    /// times are RFC 3339 with their offset.
    pub(super) fn plain(&self, clock: &Clock) -> String {
        let mut text = tsv_line(self.columns.iter().map(|c| c.title.to_string()));
        for row in &self.rows {
            text.push_str(&tsv_line(
                self.cells(row, |raw| clock.machine(raw), false).into_iter(),
            ));
        }
        text
    }
}

/// The width of a table with the `visible` columns, each as wide as
/// `column_width(index, content width)`, a gap between two of them.
fn table_width(
    content: &[usize],
    visible: &[bool],
    column_width: impl Fn(usize, usize) -> usize,
) -> usize {
    let shown: Vec<usize> = (0..content.len()).filter(|&i| visible[i]).collect();
    shown
        .iter()
        .map(|&i| column_width(i, content[i]))
        .sum::<usize>()
        + usize::from(GAP) * shown.len().saturating_sub(1)
}

/// Labelled values (one record).
#[derive(Debug, Clone, Default)]
pub struct KeyValues {
    pairs: Vec<(&'static str, String)>,
}

impl From<Vec<(&'static str, String)>> for KeyValues {
    /// Whatever terminal escapes the values hold (they come from a
    /// server) are dropped.
    fn from(pairs: Vec<(&'static str, String)>) -> KeyValues {
        KeyValues {
            pairs: pairs
                .into_iter()
                .map(|(key, value)| (key, clean(value)))
                .collect(),
        }
    }
}

impl KeyValues {
    /// `Label: value` lines, the values aligned.
    pub(super) fn rich(&self) -> String {
        let width = self.pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
        self.pairs
            .iter()
            .map(|(key, value)| format!("{:<width$} {value}\n", format!("{key}:")))
            .collect()
    }

    /// `label<TAB>value` lines, the label in snake_case.
    pub(super) fn plain(&self) -> String {
        self.pairs
            .iter()
            .map(|(key, value)| {
                tsv_line([key.to_lowercase().replace(' ', "_"), value.to_string()].into_iter())
            })
            .collect()
    }
}

/// `text` without terminal escapes (most often just `text`).
fn clean(text: String) -> String {
    if let Cow::Owned(cleaned) = sanitize::text(&text) {
        cleaned
    } else {
        text
    }
}

/// One TSV line; tabs and line breaks inside a cell become spaces so a
/// value can never shift a column.
fn tsv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|cell| cell.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    const SESSION: &str = "8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e";
    const TIME: &str = "2025-10-22T08:39:26.5Z";

    /// UTC, on the day of [`TIME`].
    fn clock() -> Clock {
        Clock::fixed(TimeZone::UTC, "2025-10-22T12:00:00Z".parse().unwrap())
    }

    fn sessions() -> Table {
        sessions_ending("Complete")
    }

    fn sessions_ending(status: &str) -> Table {
        let mut table = Table::new([
            Column::id("Session ID").key(),
            Column::time("Created"),
            Column::time("Ended").low(),
            Column::number("Duration"),
            Column::label("Status").key(),
            Column::number("Bot start").low(),
            Column::label("Cold start").low(),
        ]);
        for _ in 0..3 {
            table.push(vec![
                SESSION.into(),
                TIME.into(),
                "-".into(),
                "00:01:40".into(),
                status.into(),
                "1.2s".into(),
                "no".into(),
            ]);
        }
        table
    }

    fn widest_line(text: &str) -> usize {
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn plain_tables_are_tsv_and_cells_cannot_break_columns() {
        let mut table = Table::new([Column::name("A"), Column::text("B"), Column::time("C")]);
        table.push(vec!["1".into(), "x\ty\nz".into(), TIME.into()]);
        assert_eq!(
            table.plain(&clock()),
            "A\tB\tC\n1\tx y z\t2025-10-22T08:39:26Z\n"
        );
    }

    #[test]
    fn rich_tables_are_light_columns_under_a_rule() {
        let mut table = Table::new([Column::name("Name"), Column::id("Key")]);
        table.push(vec!["main".into(), "pk_1…".into()]);
        table.push(vec!["a-longer-name".into(), "pk_2…".into()]);
        assert_eq!(
            table.rich(None, &clock()),
            "Name           Key\n\
             ────────────────────\n\
             main           pk_1…\n\
             a-longer-name  pk_2…\n"
        );
    }

    #[test]
    fn times_are_short_and_their_zone_is_in_the_title() {
        let mut table = Table::new([Column::id("ID"), Column::time("Created")]);
        table.push(vec!["a".into(), TIME.into()]);
        table.push(vec!["b".into(), "2025-01-02T03:04:05Z".into()]);
        table.push(vec!["c".into(), "-".into()]);
        let paris = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let clock = Clock::fixed(paris, "2025-10-22T12:00:00Z".parse().unwrap());
        assert_eq!(
            table.rich(None, &clock),
            "ID  Created (CEST)\n\
             ────────────────────\n\
             a   10:39:26\n\
             b   Jan 02 04:04 CET\n\
             c   -\n"
        );
    }

    #[test]
    fn a_table_that_fits_is_drawn_as_without_a_width() {
        let table = sessions();
        let natural = table.rich(None, &clock());
        assert!(widest_line(&natural) > 100, "{natural}");
        assert_eq!(table.rich(Some(200), &clock()), natural);
    }

    #[test]
    fn a_narrow_terminal_hides_columns_and_never_splits_an_id_or_a_time() {
        let fitted = sessions().rich(Some(80), &clock());
        assert_eq!(
            fitted,
            "Session ID                            Created (UTC)  Duration  Status\n\
             ───────────────────────────────────────────────────────────────────────\n\
             8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e  08:39:26       00:01:40  Complete\n\
             8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e  08:39:26       00:01:40  Complete\n\
             8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e  08:39:26       00:01:40  Complete\n\
             3 columns hidden; widen the terminal or use --output plain\n"
        );
        // A long status leaves no room for the duration either; the note
        // then counts the columns rather than run past the width.
        let longer = sessions_ending("Ended before agent start").rich(Some(80), &clock());
        assert!(
            longer.ends_with("\n4 columns hidden; widen the terminal or use --output plain\n"),
            "{longer}"
        );
        assert!(widest_line(&longer) <= 80, "{longer}");
        let wider = sessions().rich(Some(100), &clock());
        assert!(
            wider.contains(
                "\n1 column hidden (Cold start); widen the terminal or use --output plain\n"
            ),
            "{wider}"
        );
        assert!(widest_line(&wider) <= 100, "{wider}");
    }

    #[test]
    fn without_fitting_an_id_is_split_across_lines() {
        // What rich tables would do without hiding columns: comfy-table
        // alone squeezes every column to the width, cutting the session id.
        let mut table = ComfyTable::new();
        table
            .load_style(LIGHT)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(60)
            .set_header(["Session ID", "Created", "Ended", "Duration", "Status"]);
        table.add_row([SESSION, TIME, TIME, "00:01:40", "Complete"]);
        assert!(!table.to_string().contains(SESSION));
        assert!(sessions().rich(Some(60), &clock()).contains(SESSION));
    }

    #[test]
    fn key_columns_stay_even_when_nothing_fits() {
        let fitted = sessions().rich(Some(30), &clock());
        assert!(
            fitted.contains(SESSION) && fitted.contains("Complete"),
            "{fitted}"
        );
        assert!(fitted.contains("5 columns hidden"), "{fitted}");
    }

    #[test]
    fn only_free_text_wraps() {
        let mut table = Table::new([Column::name("Agent").key(), Column::text("Error")]);
        table.push(vec![
            "my-first-agent".into(),
            "the image could not be pulled from the registry: manifest unknown".into(),
        ]);
        let fitted = table.rich(Some(50), &clock());
        assert!(widest_line(&fitted) <= 50, "{fitted}");
        assert!(fitted.contains("my-first-agent"), "{fitted}");
        assert!(!fitted.contains("hidden"), "{fitted}");
    }

    #[test]
    fn an_empty_note_and_a_footer_are_for_rich_output() {
        let table = Table::new([Column::name("Name")])
            .when_empty("nothing here")
            .footer("0 shown");
        assert_eq!(table.empty_note(), Some("nothing here"));
        assert_eq!(table.plain(&clock()), "Name\n");
        assert!(table.rich(None, &clock()).ends_with("0 shown\n"));
    }

    #[test]
    fn shortened_columns_are_whole_in_plain_output_only() {
        let key = "pk_0123456789abcdefghijklmnop";
        let mut table = Table::new([Column::name("Name"), Column::id("Key").shortened()]);
        table.push(vec!["main".into(), key.into()]);
        assert_eq!(table.plain(&clock()), format!("Name\tKey\nmain\t{key}\n"));
        let rich = table.rich(None, &clock());
        assert!(!rich.contains(key), "{rich}");
        assert!(rich.contains(&redact(key)), "{rich}");
    }

    #[test]
    fn key_values_align_or_tab() {
        let pairs = KeyValues::from(vec![
            ("Session ID", "s1".to_string()),
            ("Join URL", "u".to_string()),
        ]);
        assert_eq!(pairs.rich(), "Session ID: s1\nJoin URL:   u\n");
        assert_eq!(pairs.plain(), "session_id\ts1\njoin_url\tu\n");
    }
}
