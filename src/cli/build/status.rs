//! `pipecat cloud build status BUILD_ID`: one build in full.

use clap::Args;
use serde_json::json;

use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{Answer, format_bytes, format_duration};
use pipecat_cloud::api::types::Build;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The build (its id, as `build list` and `deploy` show it)
    pub build_id: String,
}

/// JSON is `{"build": {...}}`, the API's answer. A build that failed is
/// still a status shown: exit 0.
pub async fn run(args: StatusArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let found = client
        .get_build(&args.build_id)
        .await
        .map_err(|err| super::build_failure(ctx, &args.build_id, &err))?;
    let pairs = details(ctx, &found.value);
    ctx.out.answer(
        Answer::new(json!({ "build": found.raw }))
            .key_values(pairs)
            .quiet(found.value.status.as_str()),
    )
}

fn details(ctx: &Context, build: &Build) -> Vec<(&'static str, String)> {
    let time = |value: &Option<String>| value.as_deref().map(|t| ctx.out.timestamp(t));
    let size = |bytes: Option<u64>| bytes.map(format_bytes);
    let rows: [(&'static str, Option<String>); 13] = [
        ("Build ID", Some(build.id.clone())),
        ("Status", Some(build.status.as_str().to_string())),
        ("Region", build.region.clone()),
        ("Context hash", build.context_hash.clone()),
        ("Dockerfile", build.dockerfile_path.clone()),
        ("Context size", size(build.context_size_bytes)),
        ("Image", build.image_uri.clone()),
        ("Image size", size(build.image_size_bytes)),
        (
            "Duration",
            build
                .build_duration_seconds
                .map(|s| format_duration(s as f64)),
        ),
        ("Created", time(&build.created_at)),
        ("Started", time(&build.started_at)),
        ("Completed", time(&build.completed_at)),
        ("Error", build.error_message.clone()),
    ];
    rows.into_iter()
        .filter_map(|(label, value)| value.map(|value| (label, value)))
        .collect()
}
