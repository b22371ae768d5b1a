//! `deploy` from a project folder: the folder packed as a build context
//! (before any request), a successful build of the same context in the
//! same region reused, else the context uploaded and built in the cloud
//! and followed until it ends. What it gives `deploy` is a build id.

use std::time::Duration;

use super::plan::Source;
use crate::cli::agent::live::until_interrupted;
use crate::cli::build::follow::{self, Lines};
use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Exit, Failure};
use crate::cli::output::{format_bytes, format_elapsed};
use pipecat_cloud::api::build_context::{self, BuildContext, ContextOptions};
use pipecat_cloud::api::builds::BuildFollower;
use pipecat_cloud::api::types::{Build, BuildStatus, CreateBuildRequest};
use pipecat_cloud::api::{BuildQuery, Client, ErrorKind};
use pipecat_cloud::sanitize;

/// Log lines shown after a failed build when they were not shown as it
/// ran (`--quiet`).
const LAST_LINES: usize = 20;

/// Packs the project folder; a context that cannot be packed (too large,
/// a link out of it, no Dockerfile) is bad input, and nothing is sent.
pub fn pack(source: &Source) -> CliResult<BuildContext> {
    let options = ContextOptions {
        dockerfile: source.dockerfile.clone(),
        extra_exclusions: source.exclude.clone(),
        ..ContextOptions::default()
    };
    build_context::create(&source.dir, &options).map_err(|err| Failure::usage(err.to_string()))
}

/// The review's line for a build: where from, and how much.
pub fn describe(source: &Source, context: &BuildContext) -> String {
    let files = match context.files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    format!(
        "from {} ({}, {files}, {})",
        source.dir.display(),
        source.dockerfile,
        format_bytes(context.total_bytes)
    )
}

/// The id of a successful build of `context` in `region`: a cached one,
/// else a new one, followed until it ends (`wait` at most). A failed
/// build is an error with its message (exit 1); Ctrl-C stops waiting
/// (exit 130) and says how to follow the build, which goes on.
pub async fn build(
    ctx: &Context,
    client: &Client,
    source: &Source,
    context: BuildContext,
    region: &str,
    wait: Duration,
) -> CliResult<String> {
    let hash = context.context_hash.clone();
    if let Some(cached) = cached(client, &hash, region, &source.dockerfile).await? {
        ctx.out.note(&format!(
            "Using cached build {} (context {hash} was built before in {region}).",
            cached.id
        ));
        return Ok(cached.id);
    }

    let mut progress = ctx.out.progress();
    progress.say(format!(
        "uploading the build context ({})",
        format_bytes(context.tarball.len() as u64)
    ));
    let upload = client
        .build_upload_url(region)
        .await
        .map_err(|err| api_failure(&err))?
        .value;
    client
        .upload_build_context(&upload, context.tarball)
        .await
        .map_err(|err| {
            // The storage's refusal (an expired form, say) is not about
            // the user's credential: no login hint.
            let exit = match err.kind {
                ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Malformed => Exit::Unreachable,
                _ => Exit::ApiFailure,
            };
            Failure::new(exit, format!("cannot upload the build context: {err}"))
        })?;
    let created = client
        .create_build(&CreateBuildRequest {
            upload_id: upload.upload_id,
            region: region.to_string(),
            dockerfile_path: Some(source.dockerfile.clone()),
        })
        .await
        .map_err(|err| api_failure(&err))?
        .value;
    drop(progress);
    let id = created.build.id.clone();
    if created.cached && created.build.status == BuildStatus::Success {
        ctx.out.note(&format!(
            "Using cached build {id} (context {hash} was built before in {region})."
        ));
        return Ok(id);
    }
    ctx.out
        .note(&format!("Build {id} started (context {hash}, {region})."));

    let lines = if ctx.settings.output.quiet {
        Lines::Hidden
    } else {
        Lines::Progress
    };
    let mut follower = BuildFollower::new(client.clone(), &id, 0);
    let started = std::time::Instant::now();
    let followed = until_interrupted(follow::until_done(ctx, &mut follower, lines, wait)).await;
    let ended = match followed {
        Ok(build) => build,
        Err(failure) if failure.exit == Exit::Interrupted => {
            ctx.out.instruction(&format!(
                "Stopped following build {id}; the build goes on. Follow it with `{}`, \
                 then deploy it with --build-id {id}.",
                ctx.settings.suggest(&["build", "logs", &id, "--follow"])
            ));
            return Err(failure);
        }
        Err(failure) => return Err(failure),
    };
    if ended.status == BuildStatus::Success {
        ctx.out.note(&format!(
            "Build {id} succeeded in {}.",
            format_elapsed(started.elapsed())
        ));
        return Ok(id);
    }
    if lines == Lines::Hidden {
        show_last_lines(ctx, &mut follower).await;
    }
    Err(follow::failed(ctx, &ended))
}

/// A successful build of the same context and Dockerfile in `region`.
async fn cached(
    client: &Client,
    hash: &str,
    region: &str,
    dockerfile: &str,
) -> CliResult<Option<Build>> {
    let query = BuildQuery {
        context_hash: Some(hash.to_string()),
        status: Some(BuildStatus::Success),
        region: Some(region.to_string()),
        limit: Some(1),
        ..BuildQuery::default()
    };
    let listing = client
        .list_builds(&query)
        .await
        .map_err(|err| api_failure(&err))?;
    // The filters are the API's; what is reused is checked here too (an
    // image built from another Dockerfile is another image).
    Ok(listing.value.builds.into_iter().find(|build| {
        build.status == BuildStatus::Success
            && build.context_hash.as_deref() == Some(hash)
            && build
                .dockerfile_path
                .as_deref()
                .is_none_or(|d| d == dockerfile)
    }))
}

/// The last lines of a failed build's log, which `--quiet` kept from
/// showing while it ran: part of the error, so never silenced.
async fn show_last_lines(ctx: &Context, follower: &mut BuildFollower) {
    let Ok(lines) = follower.last_lines(LAST_LINES).await else {
        return;
    };
    if lines.is_empty() {
        return;
    }
    ctx.out
        .instruction(&format!("The last lines of build {}'s log:", follower.id()));
    for line in lines {
        let line = sanitize::text(line.trim_end_matches(['\n', '\r'])).into_owned();
        ctx.out.instruction(&format!("  {line}"));
    }
}
