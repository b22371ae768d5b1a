//! The Dockerfile subset the local cloud builds natively.
//!
//! Accepted, everything else failing with the line's number and text:
//!
//! | instruction | meaning here |
//! |---|---|
//! | `FROM dailyco/pipecat-base[:tag]` | the base; `-py3.X` in the tag asks for that Python; `--platform` and `AS name` are ignored; only one `FROM` |
//! | `ARG NAME[=default]` | a variable for later lines (no build arguments are passed, so the default or empty); before `FROM` only for `FROM` |
//! | `ENV K=V ...`, `ENV K V` | environment of the build's `pip` and of every session |
//! | `WORKDIR path` | the working directory (`/app` in the base image) |
//! | `COPY`/`ADD src... dest` | local files of the context; shell or JSON array form; `--chmod=OCTAL` is applied, `--chown` and `--link` are ignored (files belong to the server's user), `--from` and other flags fail; `ADD` of a URL fails, `ADD` of an archive fails (it would be unpacked) |
//! | `RUN pip install ...` | also `pip3`, `python -m pip`, `python3 -m pip`, shell or JSON form, any pip flags; one command, no `&&`, pipes or redirections |
//! | `EXPOSE`, `LABEL` | accepted and ignored (the local cloud picks the port) |
//!
//! Variables (`$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}`) are
//! expanded in every instruction from earlier `ENV` and `ARG` lines; a
//! variable they do not define fails the line, since the base image's own
//! environment is not known here. Comments, blank lines, `\` line
//! continuations, quotes and escapes work as in Docker; a `# escape=`
//! directive other than `\` fails.

use std::collections::BTreeMap;

/// What the local cloud builds, for error messages.
pub const SUPPORTED: &str = "the local cloud builds FROM dailyco/pipecat-base with COPY, ADD (local files), ENV, ARG, WORKDIR, RUN pip install, EXPOSE and LABEL";

/// The base image repository every project must start from.
pub const BASE_REPOSITORY: &str = "dailyco/pipecat-base";

/// The base image's working directory.
pub const BASE_WORKDIR: &str = "/app";

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub base: BaseImage,
    /// The instructions after `FROM`, in order.
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// The reference as written (after variable expansion).
    pub reference: String,
    /// `3.12` for a `...-py3.12` tag.
    pub python: Option<String>,
}

/// One instruction and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The line it starts on (1-based).
    pub line: usize,
    /// Its text, continuation lines joined.
    pub text: String,
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Copy(Copy),
    Env(Vec<(String, String)>),
    Workdir(String),
    /// The arguments after `install`, with any pip options before it.
    PipInstall(Vec<String>),
    /// Nothing to do (`ARG`, `EXPOSE`, `LABEL`); says why.
    Note(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// `ADD` rather than `COPY`.
    pub add: bool,
    pub sources: Vec<String>,
    pub dest: String,
    /// From `--chmod`.
    pub chmod: Option<u32>,
    /// Flags accepted without effect, for the build log.
    pub ignored_flags: Vec<String>,
}

/// A line the local cloud cannot build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Dockerfile line {line}: `{text}`: {message}")]
pub struct DockerfileError {
    pub line: usize,
    pub text: String,
    pub message: String,
}

/// One instruction's text, continuation lines joined.
struct Logical {
    line: usize,
    text: String,
}

pub fn parse(source: &str) -> Result<Dockerfile, DockerfileError> {
    let lines = logical_lines(source)?;
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut base: Option<BaseImage> = None;
    let mut instructions = Vec::new();
    for Logical { line, text } in lines {
        let fail = |message: String| DockerfileError {
            line,
            text: text.clone(),
            message,
        };
        let (keyword, rest) = split_keyword(&text);
        let keyword = keyword.to_ascii_uppercase();
        if base.is_none() && keyword != "FROM" && keyword != "ARG" {
            return Err(fail(format!(
                "the first instruction must be FROM {BASE_REPOSITORY}"
            )));
        }
        let step = match keyword.as_str() {
            "FROM" => {
                if base.is_some() {
                    return Err(fail(format!(
                        "multi-stage builds are not supported ({SUPPORTED})"
                    )));
                }
                base = Some(parse_from(rest, &vars).map_err(fail)?);
                // Variables declared before FROM serve FROM only.
                vars.clear();
                continue;
            }
            "ARG" => {
                for (name, value) in parse_arg(rest, &vars).map_err(fail)? {
                    vars.insert(name, value);
                }
                Step::Note("ARG: no build arguments are passed in the local cloud".into())
            }
            "ENV" => {
                let pairs = parse_env(rest, &vars).map_err(fail)?;
                for (name, value) in &pairs {
                    vars.insert(name.clone(), value.clone());
                }
                Step::Env(pairs)
            }
            "WORKDIR" => {
                let dir = single_word(rest, &vars).map_err(fail)?;
                if dir.is_empty() {
                    return Err(fail("WORKDIR needs a path".into()));
                }
                Step::Workdir(dir)
            }
            "COPY" | "ADD" => Step::Copy(parse_copy(&keyword, rest, &vars).map_err(fail)?),
            "RUN" => Step::PipInstall(parse_run(rest, &vars).map_err(fail)?),
            "EXPOSE" => Step::Note("EXPOSE: ignored, the local cloud picks the port".into()),
            "LABEL" => Step::Note("LABEL: ignored".into()),
            _ => {
                return Err(fail(format!("{keyword} is not supported ({SUPPORTED})")));
            }
        };
        instructions.push(Instruction { line, text, step });
    }
    let base = base.ok_or_else(|| DockerfileError {
        line: 1,
        text: String::new(),
        message: format!("no FROM instruction ({SUPPORTED})"),
    })?;
    Ok(Dockerfile { base, instructions })
}

/// Join continuation lines; drop comments and blank lines.
fn logical_lines(source: &str) -> Result<Vec<Logical>, DockerfileError> {
    let mut out = Vec::new();
    let mut current: Option<Logical> = None;
    let mut directives_possible = true;
    for (index, raw) in source.lines().enumerate() {
        let number = index + 1;
        let trimmed = raw.trim();
        if directives_possible {
            if let Some((key, value)) = trimmed
                .strip_prefix('#')
                .and_then(|directive| directive.split_once('='))
            {
                let key = key.trim().to_ascii_lowercase();
                if key == "escape" && value.trim() != "\\" {
                    return Err(DockerfileError {
                        line: number,
                        text: trimmed.to_string(),
                        message: "only the default escape character `\\` is supported".into(),
                    });
                }
                if key == "escape" || key == "syntax" || key == "check" {
                    continue;
                }
            }
            directives_possible = false;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (body, continues) = match raw.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (raw, false),
        };
        match current.as_mut() {
            Some(logical) => logical.text.push_str(body),
            None => {
                current = Some(Logical {
                    line: number,
                    text: body.trim_start().to_string(),
                });
            }
        }
        if !continues && let Some(mut logical) = current.take() {
            logical.text = logical.text.trim().to_string();
            out.push(logical);
        }
    }
    if let Some(mut logical) = current.take() {
        logical.text = logical.text.trim().to_string();
        out.push(logical);
    }
    Ok(out)
}

fn split_keyword(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], text[at..].trim()),
        None => (text, ""),
    }
}

fn parse_from(rest: &str, vars: &BTreeMap<String, String>) -> Result<BaseImage, String> {
    let words = words(rest, vars, Mode::Plain)?;
    let mut words = words.iter().skip_while(|w| w.starts_with("--"));
    let reference = words
        .next()
        .ok_or_else(|| format!("FROM needs an image ({SUPPORTED})"))?
        .clone();
    match (words.next(), words.next(), words.next()) {
        (None, _, _) => {}
        (Some(as_), Some(_), None) if as_.eq_ignore_ascii_case("as") => {}
        _ => return Err("expected `FROM image [AS name]`".into()),
    }
    let without_digest = reference.split('@').next().unwrap_or_default();
    let (repository, tag) = match without_digest.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
        _ => (without_digest, None),
    };
    let repository = repository
        .strip_prefix("docker.io/")
        .or_else(|| repository.strip_prefix("index.docker.io/"))
        .unwrap_or(repository);
    if repository != BASE_REPOSITORY {
        return Err(format!(
            "the base image {reference} is not supported: {SUPPORTED}"
        ));
    }
    let python = tag
        .and_then(|tag| tag.find("py3.").map(|at| &tag[at + 2..]))
        .map(|version| {
            let minor: String = version[2..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            format!("3.{minor}")
        })
        .filter(|version| version.len() > 2);
    Ok(BaseImage {
        reference: reference.clone(),
        python,
    })
}

fn parse_arg(rest: &str, vars: &BTreeMap<String, String>) -> Result<Vec<(String, String)>, String> {
    let words = words(rest, vars, Mode::Plain)?;
    if words.is_empty() {
        return Err("ARG needs a name".into());
    }
    words
        .into_iter()
        .map(|word| {
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => (word, String::new()),
            };
            valid_name(&name)?;
            Ok((name, value))
        })
        .collect()
}

fn parse_env(rest: &str, vars: &BTreeMap<String, String>) -> Result<Vec<(String, String)>, String> {
    let (first, remainder) = split_keyword(rest);
    if first.is_empty() {
        return Err("ENV needs NAME=value".into());
    }
    if !first.contains('=') {
        // The old form: `ENV NAME value with spaces`.
        valid_name(first)?;
        if remainder.is_empty() {
            return Err(format!("ENV {first} needs a value (ENV {first}=value)"));
        }
        return Ok(vec![(first.to_string(), single_word(remainder, vars)?)]);
    }
    words(rest, vars, Mode::Plain)?
        .into_iter()
        .map(|word| {
            let (name, value) = word
                .split_once('=')
                .ok_or_else(|| format!("expected NAME=value, got {word:?}"))?;
            valid_name(name)?;
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '=') {
        return Err(format!("{name:?} is not a variable name"));
    }
    Ok(())
}

fn parse_copy(keyword: &str, rest: &str, vars: &BTreeMap<String, String>) -> Result<Copy, String> {
    let (flags, rest) = leading_flags(rest);
    let mut copy = Copy {
        add: keyword == "ADD",
        sources: Vec::new(),
        dest: String::new(),
        chmod: None,
        ignored_flags: Vec::new(),
    };
    for flag in flags {
        let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
        match name {
            "--chmod" => {
                let mode = u32::from_str_radix(value, 8)
                    .ok()
                    .filter(|mode| *mode <= 0o7777)
                    .ok_or_else(|| {
                        format!("--chmod={value}: only octal modes (like 755) are supported")
                    })?;
                copy.chmod = Some(mode);
            }
            "--chown" | "--link" => copy.ignored_flags.push(flag.to_string()),
            "--from" => {
                return Err(format!(
                    "{keyword} --from (multi-stage builds) is not supported ({SUPPORTED})"
                ));
            }
            _ => return Err(format!("{keyword} {name} is not supported")),
        }
    }
    let mut words = match json_array(rest) {
        Some(items) => items
            .iter()
            .map(|item| expand(item, vars))
            .collect::<Result<Vec<_>, _>>()?,
        None => words(rest, vars, Mode::Plain)?,
    };
    if words.len() < 2 {
        return Err(format!("{keyword} needs a source and a destination"));
    }
    copy.dest = words.pop().unwrap_or_default();
    copy.sources = words;
    if let Some(url) = copy
        .sources
        .iter()
        .find(|s| copy.add && (s.contains("://") || s.starts_with("git@")))
    {
        return Err(format!(
            "ADD of a URL ({url}) is not supported: the local cloud copies local files only"
        ));
    }
    Ok(copy)
}

fn parse_run(rest: &str, vars: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    let only_pip = "the local cloud runs only `pip install ...` (one command: no shell, `&&` chains or system packages)";
    let (flags, rest) = leading_flags(rest);
    if let Some(flag) = flags.first() {
        return Err(format!("RUN {flag} is not supported: {only_pip}"));
    }
    let words = match json_array(rest) {
        Some(items) => items,
        None => words(rest, vars, Mode::Shell).map_err(|err| format!("{err}: {only_pip}"))?,
    };
    pip_install_args(&words).ok_or_else(|| only_pip.to_string())
}

/// The arguments of a `pip install` command line, if that is what it is.
fn pip_install_args(words: &[String]) -> Option<Vec<String>> {
    let program = words.first()?.rsplit('/').next()?;
    let is_versioned = |name: &str, stem: &str| {
        name == stem
            || name
                .strip_prefix(stem)
                .and_then(|v| v.strip_prefix('3'))
                .is_some_and(|v| {
                    v.is_empty()
                        || (v.starts_with('.') && v[1..].chars().all(|c| c.is_ascii_digit()))
                })
    };
    let rest = if is_versioned(program, "pip") {
        &words[1..]
    } else if is_versioned(program, "python") && words.get(1)? == "-m" && words.get(2)? == "pip" {
        &words[3..]
    } else {
        return None;
    };
    // pip's own flags may come before the subcommand.
    let at = rest.iter().position(|word| !word.starts_with('-'))?;
    if rest[at] != "install" {
        return None;
    }
    let mut args: Vec<String> = rest[..at].to_vec();
    args.extend_from_slice(&rest[at + 1..]);
    Some(args)
}

/// Leading `--flag[=value]` words (unquoted, as Docker reads them).
fn leading_flags(rest: &str) -> (Vec<&str>, &str) {
    let mut flags = Vec::new();
    let mut rest = rest.trim_start();
    while rest.starts_with("--") {
        let (flag, remainder) = split_keyword(rest);
        flags.push(flag);
        rest = remainder;
    }
    (flags, rest)
}

/// The JSON array form (`["a", "b"]`), if `rest` is one.
fn json_array(rest: &str) -> Option<Vec<String>> {
    if !rest.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(rest).ok()
}

/// How shell-like a line is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Docker's word rules.
    Plain,
    /// A `RUN` command: shell operators are refused.
    Shell,
}

/// The whole text as one word: quotes and escapes resolved, variables
/// expanded, inner whitespace kept.
fn single_word(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut lexer = Lexer::new(text, vars, Mode::Plain);
    lexer.keep_spaces = true;
    Ok(lexer.run()?.join(" "))
}

/// Expand variables only (JSON array items).
fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut lexer = Lexer::new(text, vars, Mode::Plain);
    lexer.keep_spaces = true;
    lexer.literal_quotes = true;
    Ok(lexer.run()?.concat())
}

fn words(text: &str, vars: &BTreeMap<String, String>, mode: Mode) -> Result<Vec<String>, String> {
    Lexer::new(text, vars, mode).run()
}

struct Lexer<'a> {
    chars: Vec<char>,
    at: usize,
    vars: &'a BTreeMap<String, String>,
    mode: Mode,
    /// Whitespace is part of the word instead of ending it.
    keep_spaces: bool,
    /// Quotes are ordinary characters.
    literal_quotes: bool,
}

impl<'a> Lexer<'a> {
    fn new(text: &str, vars: &'a BTreeMap<String, String>, mode: Mode) -> Self {
        Lexer {
            chars: text.chars().collect(),
            at: 0,
            vars,
            mode,
            keep_spaces: false,
            literal_quotes: false,
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied();
        self.at += 1;
        c
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn run(mut self) -> Result<Vec<String>, String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        while let Some(c) = self.next() {
            match c {
                c if c.is_whitespace() && !self.keep_spaces => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                    continue;
                }
                '\\' => match self.next() {
                    Some(escaped) => word.push(escaped),
                    None => word.push('\\'),
                },
                '\'' if !self.literal_quotes => loop {
                    match self.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".into()),
                    }
                },
                '"' if !self.literal_quotes => loop {
                    match self.next() {
                        Some('"') => break,
                        Some('\\') => match self.peek() {
                            Some(c @ ('"' | '\\' | '$')) => {
                                self.at += 1;
                                word.push(c);
                            }
                            _ => word.push('\\'),
                        },
                        Some('$') => word.push_str(&self.variable()?),
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".into()),
                    }
                },
                '$' => word.push_str(&self.variable()?),
                ';' | '&' | '|' | '<' | '>' | '(' | ')' | '`' if self.mode == Mode::Shell => {
                    let operator: String = std::iter::once(c)
                        .chain(self.peek().filter(|n| "&|<>".contains(*n) && *n == c))
                        .collect();
                    return Err(format!("`{operator}` needs a shell"));
                }
                c => word.push(c),
            }
            in_word = true;
        }
        if in_word {
            words.push(word);
        }
        Ok(words)
    }

    /// The value of the variable after a `$`.
    fn variable(&mut self) -> Result<String, String> {
        let braced = self.peek() == Some('{');
        if braced {
            self.at += 1;
        }
        let mut name = String::new();
        while let Some(c) = self.peek() {
            let allowed = c == '_' || c.is_ascii_alphanumeric();
            if !allowed || (name.is_empty() && c.is_ascii_digit()) {
                break;
            }
            name.push(c);
            self.at += 1;
        }
        if !braced {
            if name.is_empty() {
                if self.mode == Mode::Shell && self.peek() == Some('(') {
                    return Err("`$(` needs a shell".into());
                }
                return Ok("$".into());
            }
            return self.lookup(&name, None);
        }
        let modifier = match (self.next(), self.peek()) {
            (Some('}'), _) => None,
            (Some(':'), Some(op @ ('-' | '+'))) => {
                self.at += 1;
                let mut word = String::new();
                loop {
                    match self.next() {
                        Some('}') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated ${{{name}")),
                    }
                }
                Some((op, expand(&word, self.vars)?))
            }
            _ => return Err(format!("unsupported variable form after ${{{name}")),
        };
        if name.is_empty() {
            return Err("empty variable name in ${}".into());
        }
        self.lookup(&name, modifier)
    }

    fn lookup(&self, name: &str, modifier: Option<(char, String)>) -> Result<String, String> {
        let value = self.vars.get(name).filter(|v| !v.is_empty());
        match (modifier, value) {
            (Some(('-', word)), None) => Ok(word),
            (Some(('+', word)), Some(_)) => Ok(word),
            (Some(('+', _)), None) => Ok(String::new()),
            (_, Some(value)) => Ok(value.clone()),
            (_, None) if self.vars.contains_key(name) => Ok(String::new()),
            (_, None) => Err(format!(
                "${name} is not set by an earlier ENV or ARG line (the base image's environment is not known to the local cloud)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Dockerfile {
        parse(text).unwrap_or_else(|err| panic!("{err}"))
    }

    fn err(text: &str) -> DockerfileError {
        parse(text).expect_err("should fail")
    }

    #[test]
    fn the_usual_project_parses() {
        let file = ok("# syntax=docker/dockerfile:1\n\
            FROM dailyco/pipecat-base:latest\n\
            \n\
            # deps first\n\
            COPY ./requirements.txt requirements.txt\n\
            RUN pip install --no-cache-dir --upgrade -r requirements.txt\n\
            COPY ./bot.py bot.py\n");
        assert_eq!(file.base.reference, "dailyco/pipecat-base:latest");
        assert_eq!(file.base.python, None);
        let steps: Vec<_> = file
            .instructions
            .iter()
            .map(|i| (i.line, i.step.clone()))
            .collect();
        assert_eq!(
            steps,
            vec![
                (
                    5,
                    Step::Copy(Copy {
                        add: false,
                        sources: vec!["./requirements.txt".into()],
                        dest: "requirements.txt".into(),
                        chmod: None,
                        ignored_flags: vec![],
                    })
                ),
                (
                    6,
                    Step::PipInstall(vec![
                        "--no-cache-dir".into(),
                        "--upgrade".into(),
                        "-r".into(),
                        "requirements.txt".into()
                    ])
                ),
                (
                    7,
                    Step::Copy(Copy {
                        add: false,
                        sources: vec!["./bot.py".into()],
                        dest: "bot.py".into(),
                        chmod: None,
                        ignored_flags: vec![],
                    })
                ),
            ]
        );
    }

    #[test]
    fn base_tags_and_python_versions() {
        assert_eq!(ok("FROM dailyco/pipecat-base").base.python, None);
        assert_eq!(
            ok("from dailyco/pipecat-base:0.1.19-py3.12 AS app")
                .base
                .python
                .as_deref(),
            Some("3.12")
        );
        assert_eq!(
            ok("FROM --platform=linux/arm64 docker.io/dailyco/pipecat-base:latest-py3.10")
                .base
                .python
                .as_deref(),
            Some("3.10")
        );
        assert_eq!(
            ok("ARG TAG=latest\nFROM dailyco/pipecat-base:${TAG}")
                .base
                .reference,
            "dailyco/pipecat-base:latest"
        );
        let e = err("# a comment\n\nFROM python:3.12-slim\nCOPY . .\n");
        assert_eq!(e.line, 3);
        assert_eq!(e.text, "FROM python:3.12-slim");
        assert!(e.to_string().starts_with("Dockerfile line 3: `FROM python:3.12-slim`: the base image python:3.12-slim is not supported: the local cloud builds FROM dailyco/pipecat-base"), "{e}");
        assert!(
            err("FROM dailyco/pipecat-base-evil")
                .message
                .contains("not supported")
        );
        assert_eq!(
            err("FROM dailyco/pipecat-base\nFROM dailyco/pipecat-base").line,
            2
        );
        assert_eq!(err("COPY . .\nFROM dailyco/pipecat-base").line, 1);
        assert!(err("").message.contains("no FROM"));
    }

    #[test]
    fn unsupported_instructions_name_their_line() {
        let text = "FROM dailyco/pipecat-base\nCOPY . .\nRUN apt-get update && \\\n    apt-get install -y ffmpeg\nCMD [\"python\", \"bot.py\"]\n";
        let e = err(text);
        assert_eq!(e.line, 3);
        assert_eq!(
            e.text,
            "RUN apt-get update &&     apt-get install -y ffmpeg"
        );
        assert!(e.message.contains("`&&` needs a shell"), "{e}");
        assert!(e.message.contains("only `pip install ...`"), "{e}");

        let e = err("FROM dailyco/pipecat-base\nRUN apt-get install -y ffmpeg\n");
        assert!(
            e.message
                .starts_with("the local cloud runs only `pip install ...`"),
            "{e}"
        );
        let e = err("FROM dailyco/pipecat-base\nCMD [\"python\", \"bot.py\"]\n");
        assert_eq!(
            (e.line, e.text.as_str()),
            (2, "CMD [\"python\", \"bot.py\"]")
        );
        assert!(
            e.message
                .starts_with("CMD is not supported (the local cloud builds FROM"),
            "{e}"
        );
        let e = err("FROM dailyco/pipecat-base\nUSER nobody\n");
        assert!(e.message.starts_with("USER is not supported"));
        let e = err(
            "FROM dailyco/pipecat-base\nRUN --mount=type=cache,target=/root/.cache pip install x\n",
        );
        assert!(
            e.message
                .starts_with("RUN --mount=type=cache,target=/root/.cache is not supported"),
            "{e}"
        );
        assert!(
            err("FROM dailyco/pipecat-base\nRUN pip install x > log\n")
                .message
                .contains("`>`")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nRUN pip install $(cat reqs)\n")
                .message
                .contains("`$(`")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nRUN pip download x\n")
                .message
                .contains("only `pip install")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nADD https://x.test/a.tgz /a\n")
                .message
                .contains("URL")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nCOPY --from=builder /a /b\n")
                .message
                .contains("multi-stage")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nCOPY --chmod=u+x a b\n")
                .message
                .contains("octal")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nCOPY --parents a b\n")
                .message
                .contains("--parents is not supported")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nCOPY onlyone\n")
                .message
                .contains("source and a destination")
        );
        assert!(
            err("# escape=`\nFROM dailyco/pipecat-base\n")
                .message
                .contains("escape")
        );
    }

    #[test]
    fn pip_spellings() {
        let pip = |line: &str| match &ok(&format!("FROM dailyco/pipecat-base\n{line}\n"))
            .instructions
            .last()
            .unwrap()
            .step
        {
            Step::PipInstall(args) => args.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            pip("RUN pip3 install -U pipecat-ai"),
            vec!["-U", "pipecat-ai"]
        );
        assert_eq!(
            pip("RUN python -m pip install 'pipecat-ai[daily]>=0.0.80'"),
            vec!["pipecat-ai[daily]>=0.0.80"]
        );
        assert_eq!(pip("RUN python3.12 -m pip install x"), vec!["x"]);
        assert_eq!(pip("RUN /usr/local/bin/pip3.12 install x"), vec!["x"]);
        assert_eq!(
            pip("RUN pip --disable-pip-version-check install x"),
            vec!["--disable-pip-version-check", "x"]
        );
        assert_eq!(
            pip("RUN [\"pip\", \"install\", \"-r\", \"requirements.txt\"]"),
            vec!["-r", "requirements.txt"]
        );
        assert_eq!(
            pip(
                "RUN pip install \\\n    --no-cache-dir \\\n    # a comment inside\n    -r requirements.txt"
            ),
            vec!["--no-cache-dir", "-r", "requirements.txt"]
        );
        assert_eq!(
            pip("ENV REQS=req.txt\nRUN pip install -r \"$REQS\""),
            vec!["-r", "req.txt"]
        );
    }

    #[test]
    fn env_forms_and_variables() {
        let file = ok("FROM dailyco/pipecat-base\n\
            ENV A=1 B=\"two words\" C='$A'\n\
            ENV LEGACY value with  spaces\n\
            ARG DIR=/srv\n\
            ENV D=${A}x E=${MISSING:-fallback} F=${A:+set} G=\\$A\n\
            WORKDIR $DIR/app\n\
            COPY [\"a b.txt\", \"${DIR}/\"]\n\
            LABEL x=y\n\
            EXPOSE 8080\n");
        let steps: Vec<Step> = file.instructions.into_iter().map(|i| i.step).collect();
        let pairs = |list: &[(&str, &str)]| {
            Step::Env(
                list.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(
            steps[0],
            pairs(&[("A", "1"), ("B", "two words"), ("C", "$A")])
        );
        assert_eq!(steps[1], pairs(&[("LEGACY", "value with  spaces")]));
        assert!(matches!(steps[2], Step::Note(_)));
        assert_eq!(
            steps[3],
            pairs(&[("D", "1x"), ("E", "fallback"), ("F", "set"), ("G", "$A")])
        );
        assert_eq!(steps[4], Step::Workdir("/srv/app".into()));
        assert_eq!(
            steps[5],
            Step::Copy(Copy {
                add: false,
                sources: vec!["a b.txt".into()],
                dest: "/srv/".into(),
                chmod: None,
                ignored_flags: vec![]
            })
        );
        assert!(matches!(steps[6], Step::Note(_)));
        assert!(matches!(steps[7], Step::Note(_)));

        let e = err("FROM dailyco/pipecat-base\nENV PATH=/app/bin:$PATH\n");
        assert_eq!(e.line, 2);
        assert!(
            e.message
                .starts_with("$PATH is not set by an earlier ENV or ARG line"),
            "{e}"
        );
        let e = err("ARG V=1\nFROM dailyco/pipecat-base\nENV X=$V\n");
        assert!(
            e.message.contains("$V"),
            "ARG before FROM serves FROM only: {e}"
        );
        assert!(
            err("FROM dailyco/pipecat-base\nENV A=\"open\n")
                .message
                .contains("unterminated")
        );
        assert!(
            err("FROM dailyco/pipecat-base\nENV LONELY\n")
                .message
                .contains("needs a value")
        );
    }

    #[test]
    fn copy_flags() {
        let file =
            ok("FROM dailyco/pipecat-base\nCOPY --chown=app:app --chmod=755 --link a b c/\n");
        assert_eq!(
            file.instructions[0].step,
            Step::Copy(Copy {
                add: false,
                sources: vec!["a".into(), "b".into()],
                dest: "c/".into(),
                chmod: Some(0o755),
                ignored_flags: vec!["--chown=app:app".into(), "--link".into()],
            })
        );
    }
}
