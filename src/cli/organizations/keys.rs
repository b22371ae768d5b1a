//! `pipecat cloud organizations keys ...`: the organization's public API
//! keys. `use` and `revoke` take the key as an argument so scripts can run
//! them; only without one, on a terminal, do they offer a picker.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::super::context::{Context, api_failure, config_failure};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Column, Question, Table};
use pipecat_cloud::api::types::ApiKey;
use pipecat_cloud::api::{Client, redact};
use pipecat_cloud::config::user::UserConfig;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the organization's public API keys (whole in plain and JSON
    /// output; shortened in rich output unless --reveal).
    List(ListArgs),
    /// Create a public API key and print it in full.
    Create(CreateArgs),
    /// Revoke a public API key: it stops working at once.
    Revoke(RevokeArgs),
    /// Make a key the organization's default for `agent start`.
    Use(UseArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Show the keys whole in rich output too
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name of the new key (asked on a terminal when missing)
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// Also make it the organization's default key
    #[arg(short = 'd', long)]
    pub default: bool,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key: its name, ID or value (a terminal offers a picker without one)
    pub key: Option<String>,
    /// Revoke without asking (needed when stdin is not a terminal)
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The key: its name, ID or value (a terminal offers a picker without one)
    pub key: Option<String>,
}

pub async fn run(args: KeysArgs, ctx: &Context) -> CliResult {
    let mut config = ctx.user_config()?;
    let client = ctx.user_client(&config).await?;
    let org = client.org().unwrap_or_default().to_string();
    match args.command {
        KeysCommand::List(args) => list(ctx, &client, &config, &org, args).await,
        KeysCommand::Create(args) => create(ctx, &client, &mut config, &org, args).await,
        KeysCommand::Revoke(args) => revoke(ctx, &client, &mut config, &org, args).await,
        KeysCommand::Use(args) => use_key(ctx, &client, &mut config, &org, args).await,
    }
}

/// The official CLI's columns in its order (the key whole, as it shows
/// it), then ours.
async fn list(
    ctx: &Context,
    client: &Client,
    config: &UserConfig,
    org: &str,
    args: ListArgs,
) -> CliResult {
    let listing = client
        .list_api_keys()
        .await
        .map_err(|err| api_failure(&err))?;
    let default = config.default_public_key(org).map(|stored| stored.key);
    let key_column = if args.reveal {
        Column::id("Key")
    } else {
        Column::id("Key").shortened()
    };
    let mut table = Table::new([
        Column::name("Name").key(),
        key_column,
        Column::time("Created At").low(),
        Column::label("Status"),
        Column::id("ID").low(),
        Column::label("Default"),
    ])
    .when_empty(format!("Organization `{org}` has no public API keys."));
    for key in &listing.value.public {
        table.push(vec![
            key_name(key).to_string(),
            key.key.clone(),
            key.created_at.clone().unwrap_or_else(|| "-".into()),
            if key.revoked { "Revoked" } else { "Active" }.to_string(),
            key.id.clone(),
            if default.as_deref() == Some(key.key.as_str()) {
                "yes"
            } else {
                ""
            }
            .to_string(),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}

async fn create(
    ctx: &Context,
    client: &Client,
    config: &mut UserConfig,
    org: &str,
    args: CreateArgs,
) -> CliResult {
    let name = match args.name.filter(|name| !name.trim().is_empty()) {
        Some(name) => name,
        None => ask_name(ctx)?,
    };
    let created = client
        .create_api_key(&name)
        .await
        .map_err(|err| api_failure(&err))?;
    if args.default {
        config
            .set_default_public_key(org, &created.value.key, Some(&name))
            .map_err(config_failure)?;
        config.save().map_err(config_failure)?;
    }
    // Showing the whole key is the point of creating it: the official
    // CLI's table.
    let mut table = Table::new([
        Column::name("Name"),
        Column::id("Key").key(),
        Column::name("Organization ID"),
    ]);
    table.push(vec![
        name.clone(),
        created.value.key.clone(),
        org.to_string(),
    ]);
    ctx.out.answer(Answer::new(created.raw).table(table).note(
        "Copy the key now: apps start sessions with it (--api-key, or \
         PIPECAT_DEFAULT_PUBLIC_KEY).",
    ))?;
    if args.default {
        ctx.out.note(&format!(
            "Key `{name}` is now the default of organization `{org}` for `agent start`."
        ));
    }
    Ok(())
}

async fn revoke(
    ctx: &Context,
    client: &Client,
    config: &mut UserConfig,
    org: &str,
    args: RevokeArgs,
) -> CliResult {
    let keys = active_keys(client).await?;
    let key = choose(ctx, config, &keys, args.key.as_deref(), org, "revoke")?;
    if !args.force {
        ctx.out.confirm(&Question {
            action: "revoking a key",
            prompt: format!(
                "Revoke key {} ({})? Apps using it can no longer start sessions",
                key_name(key),
                redact(&key.key)
            ),
            default_yes: false,
            skip_flag: "--force (-f)",
            declined: "not revoked",
        })?;
    }
    let answer = client
        .revoke_api_key(&key.id)
        .await
        .map_err(|err| api_failure(&err))?;
    let was_default = config
        .default_public_key(org)
        .is_some_and(|stored| stored.key == key.key);
    if was_default {
        config.clear_default_public_key(org);
        config.save().map_err(config_failure)?;
    }
    // The server's answer (a 204 has none) naming the key, the same
    // whatever the server said.
    let mut document = match answer.raw {
        Value::Object(answer) => answer,
        _ => Map::new(),
    };
    document.insert("id".into(), Value::String(key.id.clone()));
    document.insert("revoked".into(), Value::Bool(true));
    ctx.out
        .answer(Answer::new(Value::Object(document)).note(format!(
            "Revoked key `{}` ({}) of organization `{org}`.",
            key_name(key),
            redact(&key.key)
        )))?;
    if was_default {
        ctx.out.warn(&format!(
            "it was the default key of `{org}`; choose another with `{}`",
            ctx.settings.suggest(&["organizations", "keys", "use"])
        ));
    }
    Ok(())
}

async fn use_key(
    ctx: &Context,
    client: &Client,
    config: &mut UserConfig,
    org: &str,
    args: UseArgs,
) -> CliResult {
    let keys = active_keys(client).await?;
    let key = choose(ctx, config, &keys, args.key.as_deref(), org, "use")?;
    let name = key.metadata.as_ref().and_then(|m| m.name.as_deref());
    config
        .set_default_public_key(org, &key.key, name)
        .map_err(config_failure)?;
    config.save().map_err(config_failure)?;
    ctx.out.answer(
        Answer::new(json!({"org": org, "id": key.id, "name": name})).note(format!(
            "Default key of organization `{org}`: `{}` ({}).",
            key_name(key),
            redact(&key.key)
        )),
    )?;
    if config.org() != Some(org) {
        ctx.out.note(&format!(
            "`{org}` is not your active organization: `agent start` uses this key with --org {org}, \
             or after `{}`.",
            ctx.settings.suggest(&["organizations", "select", org])
        ));
    }
    Ok(())
}

fn key_name(key: &ApiKey) -> &str {
    key.metadata
        .as_ref()
        .and_then(|m| m.name.as_deref())
        .unwrap_or("(unnamed)")
}

async fn active_keys(client: &Client) -> CliResult<Vec<ApiKey>> {
    let listing = client
        .list_api_keys()
        .await
        .map_err(|err| api_failure(&err))?;
    Ok(listing
        .value
        .public
        .into_iter()
        .filter(|key| !key.revoked)
        .collect())
}

/// The key named by `wanted` (ID, key value, or name), else a picker on a
/// terminal (the current default marked and under the cursor), else an
/// error naming the argument.
fn choose<'a>(
    ctx: &Context,
    config: &UserConfig,
    keys: &'a [ApiKey],
    wanted: Option<&str>,
    org: &str,
    verb: &str,
) -> CliResult<&'a ApiKey> {
    if let Some(wanted) = wanted {
        return find(keys, wanted, org);
    }
    if !ctx.out.can_prompt() {
        return Err(
            Failure::usage("no key given, and stdin is not a terminal to pick one").with_hint(
                format!("name it: `pipecat cloud organizations keys {verb} NAME|ID`"),
            ),
        );
    }
    if keys.is_empty() {
        return Err(Failure::new(
            Exit::NotFound,
            format!("organization `{org}` has no active public API key"),
        )
        .with_hint("create one with `pipecat cloud organizations keys create --name NAME`"));
    }
    let default = config.default_public_key(org).map(|stored| stored.key);
    let is_default = |key: &ApiKey| default.as_deref() == Some(key.key.as_str());
    let items: Vec<String> = keys
        .iter()
        .map(|key| {
            let mark = if is_default(key) { "  [default]" } else { "" };
            format!("{} ({}, {}){mark}", key_name(key), redact(&key.key), key.id)
        })
        .collect();
    let start = keys.iter().position(is_default).unwrap_or(0);
    let index = ctx.out.pick("Public API key", &items, start)?;
    Ok(&keys[index])
}

fn find<'a>(keys: &'a [ApiKey], wanted: &str, org: &str) -> CliResult<&'a ApiKey> {
    if let Some(key) = keys
        .iter()
        .find(|key| key.id == wanted || key.key == wanted)
    {
        return Ok(key);
    }
    let named: Vec<&ApiKey> = keys
        .iter()
        .filter(|key| key.metadata.as_ref().and_then(|m| m.name.as_deref()) == Some(wanted))
        .collect();
    match named.as_slice() {
        [key] => Ok(key),
        [] => Err(Failure::new(
            Exit::NotFound,
            format!("no active public API key `{wanted}` in organization `{org}`"),
        )
        .with_hint("list them with `pipecat cloud organizations keys list`")),
        several => {
            let ids: Vec<&str> = several.iter().map(|key| key.id.as_str()).collect();
            Err(Failure::usage(format!(
                "several active keys are named `{wanted}`; name one by ID: {}",
                ids.join(", ")
            )))
        }
    }
}

fn ask_name(ctx: &Context) -> CliResult<String> {
    if !ctx.out.can_prompt() {
        return Err(
            Failure::usage("no key name given, and stdin is not a terminal to ask")
                .with_hint("pass --name NAME"),
        );
    }
    ctx.out.ask("Name of the new key", "the name")
}
