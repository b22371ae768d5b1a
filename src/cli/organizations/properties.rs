//! `organizations properties list|schema|set` and `organizations
//! default-region [REGION]`: the organization's settings (today one,
//! `defaultRegion`: where agents and secret sets go when no region is
//! named). JSON of `list` and `schema` is the official CLI's (the API's
//! `properties` object); `set` and `default-region` print ours.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::super::context::{Context, api_failure};
use super::super::exit::{CliResult, Failure};
use super::super::output::{Answer, Column, Table};
use super::super::regions::check_region;
use pipecat_cloud::api::Client;
use pipecat_cloud::api::types::{DEFAULT_REGION_PROPERTY, PropertySchema, PropertySchemas};

#[derive(Debug, Args)]
pub struct PropertiesArgs {
    #[command(subcommand)]
    pub command: PropertiesCommand,
}

#[derive(Debug, Subcommand)]
pub enum PropertiesCommand {
    /// List the organization's properties and their values.
    List,
    /// Show each property's type, current value, default and allowed values.
    Schema,
    /// Set a property (the value is read as the property's type).
    Set(SetArgs),
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The property, e.g. defaultRegion
    pub property: String,
    /// Its new value
    pub value: String,
}

#[derive(Debug, Args)]
pub struct DefaultRegionArgs {
    /// The region to make the default; without one, show the default
    pub region: Option<String>,
}

pub async fn run(args: PropertiesArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    match args.command {
        PropertiesCommand::List => list(ctx, &client).await,
        PropertiesCommand::Schema => schema(ctx, &client).await,
        PropertiesCommand::Set(args) => set(ctx, &client, args).await,
    }
}

async fn list(ctx: &Context, client: &Client) -> CliResult {
    let answer = client.properties().await.map_err(|err| api_failure(&err))?;
    let mut table = Table::new([Column::name("Property").key(), Column::text("Value")])
        .when_empty("No properties.");
    for (name, value) in &answer.value.properties {
        table.push(vec![name.clone(), shown(value)]);
    }
    let document = answer
        .raw
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    ctx.out.answer(Answer::new(document).table(table))
}

async fn schema(ctx: &Context, client: &Client) -> CliResult {
    let answer = client
        .property_schemas()
        .await
        .map_err(|err| api_failure(&err))?;
    let mut table = Table::new([
        Column::name("Property").key(),
        Column::label("Type").low(),
        Column::text("Current Value"),
        Column::text("Default").low(),
        Column::text("Description"),
        Column::text("Available Values"),
    ])
    .when_empty("No properties.");
    for (name, property) in &answer.value.properties {
        table.push(vec![
            name.clone(),
            property.value_type.clone(),
            shown(&property.current_value),
            shown(&property.default),
            property.description.clone(),
            available(property),
        ]);
    }
    let document = answer
        .raw
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    ctx.out.answer(Answer::new(document).table(table))
}

/// Sends the value as the property's type says (the official CLI always
/// sends a string), after checking the property exists.
async fn set(ctx: &Context, client: &Client, args: SetArgs) -> CliResult {
    let schemas = client
        .property_schemas()
        .await
        .map_err(|err| api_failure(&err))?
        .value;
    let Some(property) = schemas.properties.get(&args.property) else {
        let known: Vec<&str> = schemas.properties.keys().map(String::as_str).collect();
        return Err(
            Failure::usage(format!("there is no property `{}`", args.property))
                .with_hint(format!("the properties: {}", known.join(", "))),
        );
    };
    if property.read_only {
        return Err(Failure::usage(format!(
            "property `{}` is read-only",
            args.property
        )));
    }
    let value = typed(&args.property, &property.value_type, &args.value)?;
    let updated = update(client, &args.property, value).await?;
    ctx.out.answer(
        Answer::new(json!({ args.property.clone(): updated.clone() })).note(format!(
            "Property `{}` is now {}.",
            args.property,
            shown(&updated)
        )),
    )
}

/// `default-region`: show it (and the regions there are), or set it.
pub async fn default_region(args: DefaultRegionArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    match args.region {
        Some(region) => {
            check_region(&client, &region, "the region").await?;
            let updated = update(&client, DEFAULT_REGION_PROPERTY, json!(region)).await?;
            let region = updated.as_str().unwrap_or(&region).to_string();
            ctx.out.answer(
                Answer::new(json!({ DEFAULT_REGION_PROPERTY: region }))
                    .note(format!("Default region: {region}.")),
            )
        }
        None => {
            let schemas = client
                .property_schemas()
                .await
                .map_err(|err| api_failure(&err))?
                .value;
            let property = schemas.properties.get(DEFAULT_REGION_PROPERTY);
            let current = property.map(|p| {
                if p.current_value.is_null() {
                    p.default.clone()
                } else {
                    p.current_value.clone()
                }
            });
            let regions: Vec<Value> = property
                .and_then(|p| p.available_values.clone())
                .unwrap_or_default();
            let current = current.unwrap_or(Value::Null);
            let shown_regions: Vec<String> = regions.iter().map(shown).collect();
            ctx.out.answer(
                Answer::new(json!({
                    DEFAULT_REGION_PROPERTY: current,
                    "availableRegions": regions,
                }))
                .key_values(vec![
                    ("Default region", shown(&current)),
                    ("Available regions", shown_regions.join(", ")),
                ]),
            )
        }
    }
}

/// PATCHes one property; its new current value.
async fn update(client: &Client, name: &str, value: Value) -> CliResult<Value> {
    let mut changes = Map::new();
    changes.insert(name.to_string(), value.clone());
    let answer: PropertySchemas = client
        .update_properties(&changes)
        .await
        .map_err(|err| api_failure(&err))?
        .value;
    Ok(answer
        .properties
        .get(name)
        .map(|p| p.current_value.clone())
        .filter(|v| !v.is_null())
        .unwrap_or(value))
}

/// `text` as a value of `value_type`.
fn typed(name: &str, value_type: &str, text: &str) -> CliResult<Value> {
    let bad = |what: &str| Failure::usage(format!("property `{name}` takes {what}, got {text:?}"));
    match value_type {
        "string" => Ok(json!(text)),
        "boolean" => match text {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err(bad("true or false")),
        },
        "number" | "integer" => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .map_err(|_| bad("a number")),
        _ => serde_json::from_str(text).map_err(|_| bad("a JSON value")),
    }
}

/// A value as a person reads it: strings without quotes, null as a dash.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn available(property: &PropertySchema) -> String {
    match &property.available_values {
        Some(values) if !values.is_empty() => {
            values.iter().map(shown).collect::<Vec<_>>().join(", ")
        }
        _ => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_sent_as_the_property_type() {
        assert_eq!(typed("p", "string", "us-west").unwrap(), json!("us-west"));
        assert_eq!(typed("p", "boolean", "true").unwrap(), json!(true));
        assert_eq!(typed("p", "number", "2.5").unwrap(), json!(2.5));
        assert_eq!(typed("p", "array", "[1]").unwrap(), json!([1]));
        let err = typed("p", "boolean", "yes").unwrap_err();
        assert_eq!(err.message, "property `p` takes true or false, got \"yes\"");
    }
}
