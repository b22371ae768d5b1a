//! The user config file, shared with the official Python CLI so one login
//! serves both: `PIPECAT_CONFIG_PATH`, else
//! `~/.config/pipecatcloud/pipecatcloud.toml` on every OS.
//!
//! ```toml
//! token = "pcc_pat_..."            # user token or personal access token
//! org = "acme"                     # the active organization
//! refresh_token = ""
//! token_expires_at = 0
//!
//! [acme]                           # one table per organization
//! default_public_key = "pk_..."
//! default_public_key_name = "my key"
//! ```
//!
//! The official CLI refuses to start when a top-level key other than those
//! four is not a table, so this module never writes one. Everything it does
//! not know (other keys, tables, comments, formatting) is kept as it was:
//! the file is edited with `toml_edit`, never rebuilt. Writes are atomic
//! (temp file in the same directory, fsync, rename) and private (0600 file,
//! 0700 for directories this creates). A file that does not parse is an
//! error naming the file and the line, and is never overwritten.
//!
//! Credentials change under the config lock ([`super::lock`]): every save
//! takes it and re-reads the file, and a config that did not change its
//! credentials writes back the ones on disk, not the ones it loaded. So a
//! command that edits, say, a default key never undoes a token refresh
//! (its own or another process's) that happened after it loaded the file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use toml_edit::{DocumentMut, Item, Table, TableLike, value};

use super::lock::ConfigLock;
use super::login::StoredLogin;
use super::{env, line_and_column};
use crate::api::oauth::TokenSet;
use crate::files::{self, MAX_CONFIG_FILE_BYTES};

/// Top-level keys that are not organization tables.
/// The user token (also read from the active organization's table, as the
/// official CLI does: see [`UserConfig::setting`]).
pub const TOKEN: &str = "token";
const ORG: &str = "org";
const REFRESH_TOKEN: &str = "refresh_token";
const TOKEN_EXPIRES_AT: &str = "token_expires_at";
const TOP_LEVEL_KEYS: [&str; 4] = [TOKEN, ORG, REFRESH_TOKEN, TOKEN_EXPIRES_AT];
/// The keys a login, a refresh or a logout changes together.
const CREDENTIAL_KEYS: [&str; 3] = [TOKEN, REFRESH_TOKEN, TOKEN_EXPIRES_AT];

/// Keys inside an organization's table.
const DEFAULT_PUBLIC_KEY: &str = "default_public_key";
const DEFAULT_PUBLIC_KEY_NAME: &str = "default_public_key_name";
/// The output mode of the organization (`rich`, `plain` or `json`).
pub const OUTPUT: &str = "output";
/// The official CLI's log level (`DEBUG` makes this program verbose).
pub const CLI_LOG_LEVEL: &str = "cli_log_level";

/// Where in the file a setting was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    TopLevel,
    /// The table of this (the active) organization.
    OrgTable(String),
}

/// Why the user config could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot find the home directory to locate the config file; set {}",
        env::CONFIG_PATH
    )]
    NoHome,
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("config file {}:{line}:{column} is not valid TOML: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config file {}:{line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("cannot write config file {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("organization name `{0}` cannot be a table in the config file (it is a reserved key)")]
    ReservedOrgName(String),
    #[error("cannot lock the config file with {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error(
        "another pipecat process held the config file's lock {} for {}s; try again",
        path.display(),
        waited.as_secs()
    )]
    LockTimeout {
        path: PathBuf,
        waited: std::time::Duration,
    },
}

/// What removing the credentials left in the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeptSettings {
    /// The active organization.
    pub org: Option<String>,
    /// The tables kept (one per organization, with its default key, plus
    /// any other table), in file order.
    pub tables: Vec<String>,
}

/// The default public key stored for an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPublicKey {
    pub key: String,
    pub name: Option<String>,
}

/// The user config file, loaded for reading and editing.
#[derive(Debug)]
pub struct UserConfig {
    path: PathBuf,
    doc: DocumentMut,
    /// Set by a login, a refresh or a logout: only then does a save write
    /// this config's credentials rather than those on disk.
    credentials_edited: bool,
}

impl UserConfig {
    /// `PIPECAT_CONFIG_PATH` if set and not empty, else
    /// `~/.config/pipecatcloud/pipecatcloud.toml` (the official CLI's path
    /// on every OS; it ignores XDG, and so do we, so both find one login).
    pub fn default_path() -> Result<PathBuf, ConfigError> {
        Self::path_for(std::env::var_os(env::CONFIG_PATH))
    }

    /// The config file's path given the value of `PIPECAT_CONFIG_PATH`
    /// (`configured`): that path if set and not empty, else the default.
    pub fn path_for(configured: Option<std::ffi::OsString>) -> Result<PathBuf, ConfigError> {
        match configured {
            Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
            _ => dirs::home_dir()
                .map(|home| home.join(".config/pipecatcloud/pipecatcloud.toml"))
                .ok_or(ConfigError::NoHome),
        }
    }

    /// Load the file at [`UserConfig::default_path`].
    pub fn load_default() -> Result<UserConfig, ConfigError> {
        Self::load(&Self::default_path()?)
    }

    /// Load `path`. A missing file is an empty config (nothing stored yet);
    /// one larger than [`MAX_CONFIG_FILE_BYTES`] is refused unread.
    pub fn load(path: &Path) -> Result<UserConfig, ConfigError> {
        let text = match files::read_capped(path, MAX_CONFIG_FILE_BYTES) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|err| {
                let offset = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(err.as_bytes());
                let (line, column) = line_and_column(&text, offset);
                ConfigError::Syntax {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: "the file is not UTF-8 text".into(),
                }
            })?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Self::parse(path, &text)
    }

    /// Parse `text` as the content of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<UserConfig, ConfigError> {
        let parsed = toml_edit::Document::parse(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            ConfigError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })?;
        validate(path, &parsed)?;
        Ok(UserConfig {
            path: path.to_path_buf(),
            doc: parsed.into_mut(),
            credentials_edited: false,
        })
    }

    /// Make the file private (0600) if group or others may read it, as the
    /// official CLI does; returns the mode it had when it was repaired.
    #[cfg(unix)]
    pub fn repair_permissions(&self) -> Result<Option<u32>, ConfigError> {
        use std::os::unix::fs::PermissionsExt;
        let mode = match fs::metadata(&self.path) {
            Ok(metadata) => metadata.permissions().mode() & 0o777,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        if mode & 0o077 == 0 {
            return Ok(None);
        }
        fs::set_permissions(&self.path, fs::Permissions::from_mode(0o600)).map_err(|source| {
            ConfigError::Write {
                path: self.path.clone(),
                source,
            }
        })?;
        Ok(Some(mode))
    }

    /// Where this config lives (and will be written).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored user token, if any (an empty string counts as none).
    pub fn token(&self) -> Option<&str> {
        self.top_level_str(TOKEN)
    }

    /// The active organization, if any.
    pub fn org(&self) -> Option<&str> {
        self.top_level_str(ORG)
    }

    /// A setting of the active organization: `key` in the table named by
    /// the file's `org` (where the official CLI reads settings such as
    /// `output`; a top-level key would crash it). `None` when unset or
    /// not a string.
    pub fn active_org_setting(&self, key: &str) -> Option<&str> {
        self.org_table(self.org()?)?.get(key)?.as_str()
    }

    /// The stored login (token, refresh token, expiry), if a token is
    /// stored: says whether it is an OAuth login that can be refreshed and
    /// when it expires.
    pub fn login(&self) -> Option<StoredLogin> {
        let expires_at = self.doc.get(TOKEN_EXPIRES_AT).and_then(|item| {
            item.as_float()
                .or_else(|| item.as_integer().map(|seconds| seconds as f64))
        });
        Some(StoredLogin::new(
            self.token()?,
            self.top_level_str(REFRESH_TOKEN),
            expires_at,
        ))
    }

    /// A setting as the official CLI reads the file: the top-level key,
    /// else the key in the active organization's table. A string as it
    /// is, a number or boolean written out; `None` when unset, empty, or
    /// a table or array.
    pub fn setting(&self, key: &str) -> Option<(String, Place)> {
        let text = |item: &Item| {
            let value = item.as_value()?;
            let text = match value.as_str() {
                Some(text) => text.to_string(),
                None if value.is_array() || value.is_inline_table() => return None,
                None => value.clone().decorated("", "").to_string(),
            };
            (!text.is_empty()).then_some(text)
        };
        if let Some(found) = self.doc.get(key).and_then(text) {
            return Some((found, Place::TopLevel));
        }
        let org = self.org()?;
        let found = self.org_table(org)?.get(key).and_then(text)?;
        Some((found, Place::OrgTable(org.to_string())))
    }

    /// The default public key of `org` (looked up in `org`'s own table,
    /// not the file's active org's; see docs/compatibility.md).
    pub fn default_public_key(&self, org: &str) -> Option<StoredPublicKey> {
        let table = self.org_table(org)?;
        let key = non_empty(table.get(DEFAULT_PUBLIC_KEY)?.as_str()?)?;
        let name = table
            .get(DEFAULT_PUBLIC_KEY_NAME)
            .and_then(Item::as_str)
            .and_then(non_empty);
        Some(StoredPublicKey {
            key: key.to_string(),
            name: name.map(str::to_string),
        })
    }

    /// Store a personal access token and the active org, as the official
    /// `auth use-pat` does (no refresh token, no expiry).
    pub fn set_personal_access_token(&mut self, token: &str, org: &str) {
        self.doc[TOKEN] = value(token);
        self.doc[REFRESH_TOKEN] = value("");
        self.doc[TOKEN_EXPIRES_AT] = value(0);
        self.doc[ORG] = value(org);
        self.credentials_edited = true;
    }

    /// Store a fresh OAuth login as the official `auth login` does:
    /// `token`, `refresh_token` (empty when the provider sent none, so an
    /// older one is never used with this token) and `token_expires_at` in
    /// epoch seconds. The active org is set apart ([`UserConfig::set_org`]).
    pub fn set_oauth_login(&mut self, tokens: &TokenSet) {
        self.doc[TOKEN] = value(&tokens.access_token);
        self.doc[REFRESH_TOKEN] = value(tokens.refresh_token.as_deref().unwrap_or(""));
        self.doc[TOKEN_EXPIRES_AT] = value(epoch_seconds(tokens.expires_at));
        self.credentials_edited = true;
    }

    /// Store the answer of a refresh: the new access token and expiry, and
    /// the new refresh token if one came (else the stored one stays valid).
    pub(crate) fn set_refreshed_tokens(&mut self, tokens: &TokenSet) {
        self.doc[TOKEN] = value(&tokens.access_token);
        if let Some(refresh_token) = &tokens.refresh_token {
            self.doc[REFRESH_TOKEN] = value(refresh_token);
        }
        self.doc[TOKEN_EXPIRES_AT] = value(epoch_seconds(tokens.expires_at));
        self.credentials_edited = true;
    }

    /// Make `org` the active organization.
    pub fn set_org(&mut self, org: &str) {
        self.doc[ORG] = value(org);
    }

    /// Store `key` as `org`'s default public key.
    pub fn set_default_public_key(
        &mut self,
        org: &str,
        key: &str,
        name: Option<&str>,
    ) -> Result<(), ConfigError> {
        let table = self.org_table_mut(org)?;
        table.insert(DEFAULT_PUBLIC_KEY, value(key));
        match name {
            Some(name) => table.insert(DEFAULT_PUBLIC_KEY_NAME, value(name)),
            None => table.remove(DEFAULT_PUBLIC_KEY_NAME),
        };
        Ok(())
    }

    /// Forget `org`'s default public key (e.g. because it was revoked).
    /// The table itself stays: it may hold keys this program does not know.
    pub fn clear_default_public_key(&mut self, org: &str) {
        if let Some(table) = self
            .doc
            .get_mut(org)
            .and_then(Item::as_table_like_mut)
            .filter(|_| !TOP_LEVEL_KEYS.contains(&org))
        {
            table.remove(DEFAULT_PUBLIC_KEY);
            table.remove(DEFAULT_PUBLIC_KEY_NAME);
        }
    }

    /// Remove the stored credentials (token, refresh token, expiry). The
    /// active org and the per-org tables stay: they hold no secret that
    /// grants management access, and keeping them makes a new login land
    /// where the user was.
    pub fn remove_credentials(&mut self) -> bool {
        let mut removed = false;
        for key in CREDENTIAL_KEYS {
            removed |= self.doc.remove(key).is_some();
        }
        self.credentials_edited = true;
        removed
    }

    /// What the file holds besides credentials: what a logout keeps.
    pub fn kept_settings(&self) -> KeptSettings {
        KeptSettings {
            org: self.org().map(str::to_string),
            tables: self
                .doc
                .iter()
                .filter(|(key, item)| !TOP_LEVEL_KEYS.contains(key) && item.is_table_like())
                .map(|(key, _)| key.to_string())
                .collect(),
        }
    }

    /// Write the file atomically with mode 0600, creating its directory
    /// (mode 0700) if needed, under the config lock (see the module doc).
    pub fn save(&self) -> Result<(), ConfigError> {
        let lock = ConfigLock::acquire_blocking(&self.path)?;
        self.save_locked(&lock)
    }

    /// [`UserConfig::save`] for a caller that already holds the lock.
    pub(crate) fn save_locked(&self, lock: &ConfigLock) -> Result<(), ConfigError> {
        debug_assert_eq!(lock.config_path(), self.path);
        let mut doc = self.doc.clone();
        if !self.credentials_edited {
            let on_disk = Self::load(&self.path)?;
            for key in CREDENTIAL_KEYS {
                match on_disk.doc.get(key) {
                    Some(item) => doc[key] = item.clone(),
                    None => {
                        doc.remove(key);
                    }
                }
            }
        }
        write_private_atomically(&self.path, doc.to_string().as_bytes()).map_err(|source| {
            ConfigError::Write {
                path: self.path.clone(),
                source,
            }
        })
    }

    fn top_level_str(&self, key: &str) -> Option<&str> {
        self.doc.get(key).and_then(Item::as_str).and_then(non_empty)
    }

    fn org_table(&self, org: &str) -> Option<&dyn TableLike> {
        if TOP_LEVEL_KEYS.contains(&org) {
            return None;
        }
        self.doc.get(org).and_then(Item::as_table_like)
    }

    fn org_table_mut(&mut self, org: &str) -> Result<&mut dyn TableLike, ConfigError> {
        if TOP_LEVEL_KEYS.contains(&org) {
            return Err(ConfigError::ReservedOrgName(org.to_string()));
        }
        let item = self
            .doc
            .entry(org)
            .or_insert_with(|| Item::Table(Table::new()));
        if item.as_table_like().is_none() {
            // `validate` only lets tables through under an org's name, so
            // this is a value set by this very process; make it a table.
            *item = Item::Table(Table::new());
        }
        Ok(item
            .as_table_like_mut()
            .expect("the item was just made a table"))
    }
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// A time as the official CLI stores `token_expires_at`: epoch seconds, a
/// float.
fn epoch_seconds(time: Timestamp) -> f64 {
    time.as_millisecond() as f64 / 1000.0
}

/// The checks the official CLI makes (so a file we accept does not crash
/// it) and the types this program relies on.
fn validate(path: &Path, doc: &toml_edit::Document<&str>) -> Result<(), ConfigError> {
    let raw = doc.raw();
    let invalid = |span: Option<std::ops::Range<usize>>, message: String| {
        let line = span.map_or(1, |span| line_and_column(raw, span.start).0);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        }
    };
    for (key, item) in doc.iter() {
        let span = doc.as_table().key(key).and_then(|k| k.span());
        match key {
            TOKEN | ORG | REFRESH_TOKEN => {
                if item.as_str().is_none() {
                    return Err(invalid(span, format!("`{key}` must be a string")));
                }
            }
            TOKEN_EXPIRES_AT => {
                if item.as_float().is_none() && item.as_integer().is_none() {
                    return Err(invalid(span, format!("`{key}` must be a number")));
                }
            }
            org => {
                let Some(table) = item.as_table_like() else {
                    return Err(invalid(
                        span,
                        format!(
                            "`{org}` must be a table (an organization's settings); \
                             only token, org, refresh_token and token_expires_at may be plain values"
                        ),
                    ));
                };
                for name in [DEFAULT_PUBLIC_KEY, DEFAULT_PUBLIC_KEY_NAME, OUTPUT] {
                    if let Some(entry) = table.get(name)
                        && entry.as_str().is_none()
                    {
                        let span = table.key(name).and_then(|k| k.span());
                        return Err(invalid(span, format!("`[{org}].{name}` must be a string")));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Write `bytes` to `path` so that a reader sees either the old or the new
/// file, never a mix, and nobody else can read it. A symlink at `path` (a
/// config file kept with the user's dotfiles) stays: the file it leads to
/// is replaced, in that file's directory.
fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = &link_target(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".into());
    let temp_path = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = open_private(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp_path, path)?;
        // Make the rename itself durable.
        fs::File::open(&dir).and_then(|dir| dir.sync_all())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp_path);
    }
    result
}

/// The file `path` leads to through any symlinks (itself if it is not
/// one, or does not exist yet).
fn link_target(path: &Path) -> io::Result<PathBuf> {
    // As many as the kernel follows (Linux's MAXSYMLINKS).
    const MAX_LINKS: usize = 40;
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                // A relative target is relative to the link's directory.
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            Ok(_) => return Ok(path),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(path),
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

#[cfg(unix)]
pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# my settings
token = "pcc_pat_abc"
org = "acme"
refresh_token = ""
token_expires_at = 0

[acme]
default_public_key = "pk_acme"
default_public_key_name = "main"
output = "json" # kept

[other]
default_public_key = "pk_other"

[custom.nested]
keep = true
"#;

    fn sample() -> UserConfig {
        UserConfig::parse(Path::new("cfg.toml"), SAMPLE).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn settings_are_read_from_the_active_orgs_table_only() {
        let config = sample();
        assert_eq!(config.active_org_setting(OUTPUT), Some("json"));
        let other = SAMPLE.replace("org = \"acme\"", "org = \"other\"");
        let config = UserConfig::parse(Path::new("cfg.toml"), &other).unwrap();
        assert_eq!(config.active_org_setting(OUTPUT), None);
        let none = UserConfig::parse(Path::new("cfg.toml"), "[acme]\noutput = \"json\"\n").unwrap();
        assert_eq!(none.active_org_setting(OUTPUT), None);
        let err = UserConfig::parse(
            Path::new("cfg.toml"),
            "org = \"acme\"\n[acme]\noutput = 3\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "config file cfg.toml:3: `[acme].output` must be a string"
        );
    }

    #[test]
    fn a_setting_is_top_level_else_in_the_active_orgs_table() {
        let config = sample();
        assert_eq!(
            config.setting("token"),
            Some(("pcc_pat_abc".into(), Place::TopLevel))
        );
        assert_eq!(
            config.setting("token_expires_at"),
            Some(("0".into(), Place::TopLevel))
        );
        assert_eq!(config.setting("refresh_token"), None);
        assert_eq!(
            config.setting(OUTPUT),
            Some(("json".into(), Place::OrgTable("acme".into())))
        );
        assert_eq!(config.setting("keep"), None);
        let in_table = "org = \"acme\"\n[acme]\ntoken = \"pcc_pat_t\"\n";
        let config = UserConfig::parse(Path::new("cfg.toml"), in_table).unwrap();
        assert_eq!(
            config.setting("token"),
            Some(("pcc_pat_t".into(), Place::OrgTable("acme".into())))
        );
    }

    #[test]
    fn reads_token_org_and_keys_per_org() {
        let config = sample();
        assert_eq!(config.token(), Some("pcc_pat_abc"));
        assert_eq!(config.org(), Some("acme"));
        let acme = config.default_public_key("acme").unwrap();
        assert_eq!(
            (acme.key.as_str(), acme.name.as_deref()),
            ("pk_acme", Some("main"))
        );
        // Looked up in the named org's table, not the active org's.
        assert_eq!(config.default_public_key("other").unwrap().key, "pk_other");
        assert_eq!(config.default_public_key("missing"), None);
        assert_eq!(config.default_public_key("token"), None);
    }

    #[test]
    fn edits_keep_unknown_keys_tables_and_comments() {
        let mut config = sample();
        config
            .set_default_public_key("other", "pk_new", Some("new"))
            .unwrap();
        config
            .set_default_public_key("fresh", "pk_fresh", None)
            .unwrap();
        config.clear_default_public_key("acme");
        let text = config.doc.to_string();
        assert!(text.starts_with("# my settings\n"), "{text}");
        assert!(text.contains("output = \"json\" # kept"), "{text}");
        assert!(text.contains("[custom.nested]\nkeep = true"), "{text}");
        assert!(!text.contains("pk_acme"), "{text}");
        let reread = UserConfig::parse(Path::new("cfg.toml"), &text).unwrap();
        assert_eq!(
            reread.default_public_key("other").unwrap().name.as_deref(),
            Some("new")
        );
        assert_eq!(reread.default_public_key("fresh").unwrap().key, "pk_fresh");
    }

    #[test]
    fn reserved_names_are_not_org_tables() {
        let mut config = sample();
        assert!(matches!(
            config.set_default_public_key("token", "pk", None),
            Err(ConfigError::ReservedOrgName(_))
        ));
        assert_eq!(config.token(), Some("pcc_pat_abc"));
    }

    #[test]
    fn use_pat_and_logout() {
        let mut config = UserConfig::parse(Path::new("cfg.toml"), "").unwrap();
        config.set_personal_access_token("pcc_pat_x", "acme");
        let text = config.doc.to_string();
        assert!(text.contains("token = \"pcc_pat_x\""), "{text}");
        assert!(text.contains("refresh_token = \"\""), "{text}");
        assert!(text.contains("token_expires_at = 0"), "{text}");
        assert!(config.remove_credentials());
        assert_eq!(config.token(), None);
        assert_eq!(config.org(), Some("acme"));
        assert!(!config.remove_credentials());
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err =
            UserConfig::parse(Path::new("/x/cfg.toml"), "org = \"a\"\ntoken = = 1\n").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("config file /x/cfg.toml:2:"),
            "{message}"
        );
    }

    #[test]
    fn plain_top_level_key_is_rejected_like_the_official_cli() {
        let err = UserConfig::parse(Path::new("cfg.toml"), "org = \"a\"\noutput = \"json\"\n")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("cfg.toml:2: `output` must be a table"),
            "{err}"
        );
        let err = UserConfig::parse(Path::new("cfg.toml"), "token = 3\n").unwrap_err();
        assert!(
            err.to_string().contains("`token` must be a string"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn save_is_private_and_creates_a_private_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/sub/pipecatcloud.toml");
        let mut config = UserConfig::load(&path).unwrap();
        assert_eq!(config.token(), None);
        config.set_org("acme");
        config.save().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(fs::read_to_string(&path).unwrap(), "org = \"acme\"\n");
        // The config file and its lock are left behind, both private; no
        // temp file.
        let lock = ConfigLock::lock_path(&path);
        let mut names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        names.sort();
        assert_eq!(names, [lock.clone(), path.clone()]);
        assert_eq!(mode(&lock), 0o600);
    }

    const OFFICIAL_LOGIN: &str = r#"token = "eyJ.access"
org = "acme"
refresh_token = "refresh-1"
token_expires_at = 1767225600.25

[acme]
default_public_key = "pk_acme"
"#;

    #[test]
    fn reads_a_login_written_by_the_official_cli() {
        let config = UserConfig::parse(Path::new("cfg.toml"), OFFICIAL_LOGIN).unwrap();
        let login = config.login().unwrap();
        assert_eq!(login.token(), "eyJ.access");
        assert!(login.is_refreshable() && !login.is_personal_access_token());
        assert_eq!(
            login.expires_at().unwrap(),
            "2026-01-01T00:00:00.25Z".parse::<Timestamp>().unwrap()
        );
        let pat = sample().login().unwrap();
        assert!(pat.is_personal_access_token() && !pat.is_refreshable());
        assert_eq!(pat.expires_at(), None);
    }

    #[test]
    fn an_oauth_login_is_stored_as_the_official_cli_stores_it() {
        let mut config = UserConfig::parse(Path::new("cfg.toml"), "[acme]\nx = 1\n").unwrap();
        let expires_at: Timestamp = "2026-01-01T00:00:00.5Z".parse().unwrap();
        config.set_oauth_login(&TokenSet {
            access_token: "at-1".into(),
            refresh_token: Some("rt-1".into()),
            expires_at,
        });
        config.set_org("acme");
        let text = config.doc.to_string();
        assert_eq!(
            text,
            "token = \"at-1\"\nrefresh_token = \"rt-1\"\ntoken_expires_at = 1767225600.5\norg = \"acme\"\n[acme]\nx = 1\n"
        );
        // A login without a refresh token must not keep an older one.
        config.set_oauth_login(&TokenSet {
            access_token: "at-2".into(),
            refresh_token: None,
            expires_at,
        });
        let login = config.login().unwrap();
        assert_eq!(login.token(), "at-2");
        assert!(!login.is_refreshable());
        // A refresh without a new refresh token keeps the stored one.
        config.set_oauth_login(&TokenSet {
            access_token: "at-3".into(),
            refresh_token: Some("rt-3".into()),
            expires_at,
        });
        config.set_refreshed_tokens(&TokenSet {
            access_token: "at-4".into(),
            refresh_token: None,
            expires_at,
        });
        assert!(config.doc.to_string().contains("refresh_token = \"rt-3\""));
        assert_eq!(config.login().unwrap().token(), "at-4");
    }

    #[test]
    fn a_logout_reports_what_it_kept() {
        let mut config = sample();
        assert!(config.remove_credentials());
        assert_eq!(
            config.kept_settings(),
            KeptSettings {
                org: Some("acme".into()),
                tables: vec!["acme".into(), "other".into(), "custom".into()],
            }
        );
        assert_eq!(config.login(), None);
    }

    #[test]
    fn a_save_that_did_not_touch_credentials_keeps_those_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg.toml");
        fs::write(&path, OFFICIAL_LOGIN).unwrap();
        let mut stale = UserConfig::load(&path).unwrap();
        // Another process refreshes meanwhile.
        let mut other = UserConfig::load(&path).unwrap();
        other.set_refreshed_tokens(&TokenSet {
            access_token: "eyJ.new".into(),
            refresh_token: Some("refresh-2".into()),
            expires_at: "2026-01-02T00:00:00Z".parse().unwrap(),
        });
        other.save().unwrap();
        stale
            .set_default_public_key("acme", "pk_new", Some("new"))
            .unwrap();
        stale.save().unwrap();
        let saved = UserConfig::load(&path).unwrap();
        assert_eq!(saved.login().unwrap().token(), "eyJ.new");
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("refresh_token = \"refresh-2\"")
        );
        assert_eq!(saved.default_public_key("acme").unwrap().key, "pk_new");
        // A logout elsewhere is not undone either.
        let mut logout = UserConfig::load(&path).unwrap();
        logout.remove_credentials();
        logout.save().unwrap();
        stale.set_org("other");
        stale.save().unwrap();
        let saved = UserConfig::load(&path).unwrap();
        assert_eq!(saved.login(), None);
        assert_eq!(saved.org(), Some("other"));
    }

    #[test]
    fn a_save_waits_for_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg.toml");
        let held = ConfigLock::acquire_blocking(&path).unwrap();
        let saver = {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut config = UserConfig::load(&path).unwrap();
                config.set_org("acme");
                config.save()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!path.exists(), "saved while the lock was held");
        drop(held);
        saver.join().unwrap().unwrap();
        assert_eq!(UserConfig::load(&path).unwrap().org(), Some("acme"));
    }

    #[cfg(unix)]
    #[cfg(unix)]
    #[test]
    fn a_save_writes_through_a_symlink_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
        let real = dir.path().join("dotfiles/pipecatcloud.toml");
        fs::write(&real, "org = \"a\"\n").unwrap();
        // A relative link, through a second link.
        let first = dir.path().join("first.toml");
        std::os::unix::fs::symlink("dotfiles/pipecatcloud.toml", &first).unwrap();
        let path = dir.path().join("pipecatcloud.toml");
        std::os::unix::fs::symlink(&first, &path).unwrap();
        let mut config = UserConfig::load(&path).unwrap();
        config.set_org("b");
        config.save().unwrap();
        for link in [&path, &first] {
            assert!(fs::symlink_metadata(link).unwrap().file_type().is_symlink());
        }
        assert_eq!(fs::read_to_string(&real).unwrap(), "org = \"b\"\n");
    }

    #[test]
    fn loose_permissions_are_repaired() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg.toml");
        fs::write(&path, "org = \"a\"\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let config = UserConfig::load(&path).unwrap();
        assert_eq!(config.repair_permissions().unwrap(), Some(0o644));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(config.repair_permissions().unwrap(), None);
    }

    #[test]
    fn non_utf8_file_is_a_syntax_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg.toml");
        fs::write(&path, b"org = \"a\"\ntoken = \"\xff\"\n").unwrap();
        let err = UserConfig::load(&path).unwrap_err();
        assert!(err.to_string().contains("cfg.toml:2:"), "{err}");
    }
}
