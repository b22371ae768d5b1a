//! Configuration: the user config file (and the login stored in it),
//! `pcc-deploy.toml`, and the names of the environment variables this
//! program reads.

pub mod deploy;
pub mod env;
pub mod lock;
pub mod login;
pub mod user;

/// 1-based line and column of a byte offset in `text`, for error messages
/// that point at the spot in a file.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |tail| tail.chars().count() + 1);
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_and_column;

    #[test]
    fn line_and_column_counts_from_one() {
        let text = "a = 1\nbb = [\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 9), (2, 4));
        assert_eq!(line_and_column(text, 999), (3, 1));
    }
}
