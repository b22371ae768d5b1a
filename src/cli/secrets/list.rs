//! `secrets list [NAME]`: the sets, or the keys of one. JSON is the
//! official CLI's: `{"secretSets": [...]}`, or the set as the API answers
//! it (`{"secrets": [{"fieldName"}], "region", "status"}`).

use clap::Args;
use serde_json::{Value, json};

use super::missing_set;
use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Failure};
use crate::cli::output::{Answer, Column, Table};
use crate::cli::regions::check_region;
use pipecat_cloud::api::ErrorKind;
use pipecat_cloud::api::names::check_secret_set_name;
use pipecat_cloud::api::types::SECRET_SET_READY;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the keys of this set
    pub name: Option<String>,
    /// Secret sets only, no image pull secrets
    #[arg(short = 's', long)]
    pub sets: bool,
    /// Only the sets in this region
    #[arg(short = 'r', long)]
    pub region: Option<String>,
}

pub async fn run(args: ListArgs, ctx: &Context) -> CliResult {
    match &args.name {
        Some(name) => keys(ctx, name).await,
        None => sets(ctx, &args).await,
    }
}

async fn sets(ctx: &Context, args: &ListArgs) -> CliResult {
    let client = ctx.management_client().await?;
    let region = args.region.clone().filter(|r| !r.is_empty());
    if let Some(region) = &region {
        check_region(&client, region, "--region").await?;
    }
    let listing = client
        .list_secret_sets(region.as_deref())
        .await
        .map_err(|err| api_failure(&err))?;
    let raw = listing
        .raw
        .get("sets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut kept = Vec::new();
    let mut table = Table::new([
        Column::name("Secret Set Name").key(),
        Column::label("Region"),
        Column::label("Status"),
        Column::label("Type"),
    ])
    .when_empty(match &region {
        Some(region) => format!("No secret sets in region `{region}`."),
        None => format!(
            "No secret sets yet: `{}` creates one.",
            ctx.settings
                .suggest(&["secrets", "set", "NAME", "--file", ".env"])
        ),
    });
    for (index, set) in listing.value.sets.iter().enumerate() {
        if args.sets && set.is_image_pull_secret() {
            continue;
        }
        kept.push(raw.get(index).cloned().unwrap_or(Value::Null));
        table.push(vec![
            set.name.clone(),
            set.region.clone().unwrap_or_else(|| "-".into()),
            set.status.clone().unwrap_or_else(|| "unknown".into()),
            if set.is_image_pull_secret() {
                "Image Pull Secret"
            } else {
                "Secret Set"
            }
            .to_string(),
        ]);
    }
    ctx.out
        .answer(Answer::new(json!({ "secretSets": kept })).table(table))
}

async fn keys(ctx: &Context, name: &str) -> CliResult {
    check_secret_set_name(name).map_err(Failure::usage)?;
    let client = ctx.management_client().await?;
    let set = client
        .get_secret_set(name)
        .await
        .map_err(|err| match err.kind {
            ErrorKind::NotFound => missing_set(ctx, name),
            ErrorKind::BadRequest => Failure::usage(format!(
                "`{name}` is an image pull secret: its credentials cannot be listed"
            )),
            _ => api_failure(&err),
        })?;
    let status = set.value.status.clone().unwrap_or_else(|| "unknown".into());
    let mut table = Table::new([Column::name("Key").key()])
        .when_empty(format!("Secret set `{name}` has no keys."));
    for key in &set.value.secrets {
        table.push(vec![key.field_name.clone()]);
    }
    let mut answer = Answer::new(set.raw).table(table).note(format!(
        "Secret set `{name}` in `{}` (status: {status})",
        set.value.region.as_deref().unwrap_or("-")
    ));
    if status != SECRET_SET_READY {
        answer = answer.warn(match &set.value.error_message {
            Some(message) => format!("secret set `{name}` is {status}: {message}"),
            None => format!(
                "secret set `{name}` is {status}: deploys that use it are refused until it is ready"
            ),
        });
    }
    ctx.out.answer(answer)
}
