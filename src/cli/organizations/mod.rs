//! `pipecat cloud organizations ...`: list and select organizations,
//! manage their public API keys (`keys`), their properties and default
//! region (`properties`).

pub mod keys;
pub mod properties;

use clap::{Args, Subcommand};
use serde_json::json;

use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::{Answer, Column, Table};
use pipecat_cloud::api::types::Organization;

#[derive(Debug, Args)]
pub struct OrganizationsArgs {
    #[command(subcommand)]
    pub command: OrganizationsCommand,
}

#[derive(Debug, Subcommand)]
pub enum OrganizationsCommand {
    /// List the organizations you belong to.
    List,
    /// Make an organization the active one (stored in the config file).
    Select(SelectArgs),
    /// Public API keys of the organization (they start sessions).
    Keys(keys::KeysArgs),
    /// Show the default region (where agents and secret sets go when no
    /// region is named), or set it.
    DefaultRegion(properties::DefaultRegionArgs),
    /// The organization's properties (e.g. defaultRegion).
    Properties(properties::PropertiesArgs),
}

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The organization (its ID, or its display name); --org works too.
    /// Without one, a terminal offers a list to pick from
    pub organization: Option<String>,
}

pub async fn run(args: OrganizationsArgs, ctx: &Context) -> CliResult {
    match args.command {
        OrganizationsCommand::List => list(ctx).await,
        OrganizationsCommand::Select(args) => select(args, ctx).await,
        OrganizationsCommand::Keys(args) => keys::run(args, ctx).await,
        OrganizationsCommand::DefaultRegion(args) => properties::default_region(args, ctx).await,
        OrganizationsCommand::Properties(args) => properties::run(args, ctx).await,
    }
}

async fn list(ctx: &Context) -> CliResult {
    let config = ctx.user_config()?;
    let client = ctx.user_client_without_org(&config)?;
    let listing = client
        .list_organizations()
        .await
        .map_err(|err| api_failure(&err))?;
    let active = ctx.effective_org(&config);
    // The official CLI's columns. The display name is free text (it may
    // wrap); the ID is what to copy.
    let mut table = Table::new([
        Column::text("Organization Name"),
        Column::id("Organization ID").key(),
        Column::label("Active"),
    ])
    .when_empty("You belong to no organization.");
    for org in &listing.value.organizations {
        let is_active = active.as_deref() == Some(org.name.as_str());
        table.push(vec![
            display_name(org).to_string(),
            org.name.clone(),
            if is_active { "active" } else { "" }.to_string(),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}

async fn select(args: SelectArgs, ctx: &Context) -> CliResult {
    let mut config = ctx.user_config()?;
    let client = ctx.user_client_without_org(&config)?;
    let organizations = client
        .list_organizations()
        .await
        .map_err(|err| api_failure(&err))?
        .value
        .organizations;
    let wanted = args.organization.or_else(|| ctx.settings.org.clone());
    let chosen = match wanted {
        Some(wanted) => find(&organizations, &wanted)?,
        None => pick(ctx, &organizations)?,
    };
    config.set_org(&chosen.name);
    config.save().map_err(super::context::config_failure)?;
    ctx.out.answer(
        Answer::new(json!({"org": chosen.name, "verboseName": chosen.verbose_name})).note(format!(
            "Active organization: {} ({}), saved in {}.",
            chosen.name,
            display_name(chosen),
            config.path().display()
        )),
    )
}

fn display_name(org: &Organization) -> &str {
    org.verbose_name.as_deref().unwrap_or(&org.name)
}

fn find<'a>(organizations: &'a [Organization], wanted: &str) -> CliResult<&'a Organization> {
    organizations
        .iter()
        .find(|org| org.name == wanted)
        .or_else(|| {
            organizations
                .iter()
                .find(|org| org.verbose_name.as_deref() == Some(wanted))
        })
        .ok_or_else(|| {
            let known: Vec<&str> = organizations.iter().map(|org| org.name.as_str()).collect();
            Failure::new(
                Exit::NotFound,
                format!("you do not belong to an organization `{wanted}`"),
            )
            .with_hint(format!("yours: {}", known.join(", ")))
        })
}

fn pick<'a>(ctx: &Context, organizations: &'a [Organization]) -> CliResult<&'a Organization> {
    if !ctx.out.can_prompt() {
        return Err(Failure::usage(
            "no organization given, and stdin is not a terminal to pick one",
        )
        .with_hint("name it: `pipecat cloud organizations select ORG`"));
    }
    if organizations.is_empty() {
        return Err(Failure::new(
            Exit::NotFound,
            "you belong to no organization",
        ));
    }
    let items: Vec<String> = organizations
        .iter()
        .map(|org| format!("{} ({})", display_name(org), org.name))
        .collect();
    let index = ctx.out.pick("Organization", &items, 0)?;
    Ok(&organizations[index])
}
