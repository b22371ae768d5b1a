//! `secrets image-pull-secret NAME HOST [USER:PASSWORD]`: registry
//! credentials for private images. The credentials are sent base64
//! encoded, as the official CLI sends them; they are read from a hidden
//! prompt on a terminal, else from stdin, so they need not be an argument.

use base64::Engine;
use clap::Args;
use serde_json::json;

use super::{SKIP_FLAG, Skip, refused};
use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Failure};
use crate::cli::output::{Answer, KeyValues, Question};
use crate::cli::regions::check_region;
use pipecat_cloud::api::limits::MAX_SECRET_VALUE_BYTES;
use pipecat_cloud::api::names::check_secret_set_name;
use pipecat_cloud::api::types::SecretValue;
use pipecat_cloud::files;

#[derive(Debug, Args)]
pub struct PullArgs {
    /// The image pull secret's name (what `deploy --credentials` takes)
    pub name: String,
    /// The registry, e.g. https://index.docker.io/v1/
    pub host: String,
    /// USER:PASSWORD. Leave it out to type it at a hidden prompt, or to
    /// pipe it on stdin: arguments are visible to other users of this
    /// machine and stay in shell history
    #[arg(value_name = "USER:PASSWORD")]
    pub credentials: Option<String>,
    /// Base64-encode the credentials (always done; accepted for the
    /// official CLI's scripts)
    #[arg(short = 'e', long, hide = true)]
    pub encode: bool,
    /// Region of a new image pull secret [default: the organization's]
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    #[command(flatten)]
    pub skip: Skip,
}

pub async fn run(args: PullArgs, ctx: &Context) -> CliResult {
    check_secret_set_name(&args.name).map_err(Failure::usage)?;
    if args.host.trim().is_empty() {
        return Err(Failure::usage("the registry host is empty")
            .with_hint("e.g. https://index.docker.io/v1/"));
    }
    let credentials = read_credentials(&args, ctx)?;
    let client = ctx.management_client().await?;
    let region = args.region.clone().filter(|r| !r.is_empty());
    if let Some(region) = &region {
        check_region(&client, region, "--region").await?;
    }
    let sets = client
        .list_secret_sets(None)
        .await
        .map_err(|err| api_failure(&err))?
        .value
        .sets;
    let existing = sets.iter().find(|set| set.name == args.name);
    if let Some(set) = existing {
        if !set.is_image_pull_secret() {
            return Err(Failure::usage(format!(
                "`{}` is a secret set, not an image pull secret",
                args.name
            ))
            .with_hint("choose another name"));
        }
        if let (Some(wanted), Some(current)) = (&region, &set.region)
            && wanted != current
        {
            return Err(Failure::usage(format!(
                "image pull secret `{}` is in region `{current}`; its region cannot change",
                args.name
            )));
        }
        if args.skip.asks() {
            ctx.out.review(
                "Image pull secret:",
                &KeyValues::from(vec![
                    ("Name", args.name.clone()),
                    ("Host", args.host.clone()),
                    ("Region", current_region(set.region.as_deref())),
                ]),
            );
            ctx.out.confirm(&Question {
                action: "replacing an image pull secret",
                prompt: format!(
                    "Image pull secret {} exists. Replace its credentials?",
                    args.name
                ),
                default_yes: false,
                skip_flag: SKIP_FLAG,
                declined: "not replaced",
            })?;
        }
    }
    let stored = client
        .set_image_pull_secret(&args.name, &args.host, &credentials, region.as_deref())
        .await
        .map_err(|err| refused(&args.name, &err))?;
    let region = stored.value.region.or(region).unwrap_or_default();
    let created = existing.is_none();
    ctx.out.answer(
        Answer::new(json!({
            "name": args.name,
            "host": args.host,
            "region": region,
            "created": created,
        }))
        .note(format!(
            "{} image pull secret `{}` for {} in `{region}`; deploy with `--credentials {}`.",
            if created { "Created" } else { "Updated" },
            args.name,
            args.host,
            args.name
        )),
    )
}

fn current_region(region: Option<&str>) -> String {
    region.unwrap_or("-").to_string()
}

/// `USER:PASSWORD` from the argument, a terminal (user, then a hidden
/// password), or stdin; base64-encoded.
fn read_credentials(args: &PullArgs, ctx: &Context) -> CliResult<SecretValue> {
    let plain = match &args.credentials {
        Some(given) => given.clone(),
        None if ctx.out.can_prompt() => {
            let user = ctx
                .out
                .ask(&format!("Username for {}", args.host), "the username")?;
            let password = ctx.out.ask_secret(
                &format!("Password or access token for {}", args.host),
                "the password",
            )?;
            format!("{}:{password}", user.trim())
        }
        None if !ctx.out.stdin_is_terminal() => {
            let bytes = files::read_capped_from(std::io::stdin(), MAX_SECRET_VALUE_BYTES)
                .map_err(|err| {
                    Failure::usage(if err.kind() == std::io::ErrorKind::FileTooLarge {
                        format!(
                            "the credentials on stdin are larger than {MAX_SECRET_VALUE_BYTES} bytes"
                        )
                    } else {
                        format!("cannot read the credentials from stdin: {err}")
                    })
                })?;
            String::from_utf8(bytes)
                .map_err(|_| Failure::usage("the credentials on stdin are not UTF-8 text"))?
                .trim_end_matches(['\n', '\r'])
                .to_string()
        }
        None => {
            return Err(Failure::usage(
                "no credentials given, and there is no terminal to ask for them",
            )
            .with_hint("pipe USER:PASSWORD on stdin"));
        }
    };
    match plain.split_once(':') {
        Some((user, password)) if !user.is_empty() && !password.is_empty() => {}
        // Never the text itself: it is (part of) a password.
        _ => {
            return Err(Failure::usage(
                "the credentials must be USER:PASSWORD, both non-empty",
            ));
        }
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(plain.as_bytes());
    if encoded.len() > MAX_SECRET_VALUE_BYTES {
        return Err(Failure::usage(format!(
            "the credentials are {} bytes once encoded; the limit is {MAX_SECRET_VALUE_BYTES}",
            encoded.len()
        )));
    }
    Ok(SecretValue::new(encoded))
}
