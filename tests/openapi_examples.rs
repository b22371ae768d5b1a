//! Every example the OpenAPI document gives for the routes the local cloud
//! serves deserializes into our wire types, and what we read back equals
//! what the example says (so no field is silently misnamed).
//!
//! The document is not part of this repository: `PIPECAT_OPENAPI_SPEC`
//! names it (`.ci/run` sets it when the document sits beside the crate, in
//! `../shared/reference/`). Without the variable the check is skipped with
//! a printed reason, so `cargo test` passes in a clone of this repo alone.

use std::path::PathBuf;

use pipecat_cloud::api::types::{
    AgentDetails, AgentList, AgentSpec, CreateAgentRequest, ErrorBody, LogsResponse, Session,
    SessionList, StartRequest, StartResponse, StopResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The variable naming the OpenAPI document.
const SPEC_VARIABLE: &str = "PIPECAT_OPENAPI_SPEC";

/// Where the document is, or why the check cannot run: `value` is
/// `PIPECAT_OPENAPI_SPEC` as set (or not). Set but empty counts as unset;
/// set to a path, the path is used as is, so a wrong one fails the test
/// instead of skipping it.
fn spec_path(value: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    match value {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(format!(
            "skipped: {SPEC_VARIABLE} is not set (it names the official OpenAPI document; \
             .ci/run sets it when ../shared/reference/pipecat-cloud-openapi.json exists)"
        )),
    }
}

/// The document, or `None` (with the reason printed) when the check is
/// skipped.
fn openapi() -> Option<Value> {
    let path = match spec_path(std::env::var_os(SPEC_VARIABLE)) {
        Ok(path) => path,
        Err(reason) => {
            println!("{reason}");
            return None;
        }
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the OpenAPI document at {} ({e}), named by {SPEC_VARIABLE}",
            path.display()
        )
    });
    Some(serde_json::from_str(&text).expect("the OpenAPI document is JSON"))
}

/// Resolves a `$ref` like `#/components/responses/Unauthorized`.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(node),
        None => node,
    }
}

/// The examples of a media-type object: `example`, every `examples.*.value`,
/// else one assembled from the schema's property examples.
fn examples(doc: &Value, content: &Value) -> Vec<Value> {
    let media = &content["application/json"];
    let mut found = Vec::new();
    if let Some(example) = media.get("example") {
        found.push(example.clone());
    }
    if let Some(named) = media.get("examples").and_then(Value::as_object) {
        found.extend(named.values().filter_map(|e| e.get("value").cloned()));
    }
    if found.is_empty() {
        let schema = resolve(doc, &media["schema"]);
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let assembled: Map<String, Value> = properties
                .iter()
                .filter_map(|(name, p)| p.get("example").map(|e| (name.clone(), e.clone())))
                .collect();
            if !assembled.is_empty() {
                found.push(Value::Object(assembled));
            }
        }
    }
    found
}

/// Deserializes `example` into `T`, then checks that every non-null field
/// we serialize back has the example's value.
fn check<T: DeserializeOwned + Serialize>(what: &str, example: &Value) {
    let typed: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{what}: example does not deserialize: {e}\n{example:#}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_subset(what, "", &back, example);
}

fn assert_subset(what: &str, path: &str, ours: &Value, theirs: &Value) {
    match (ours, theirs) {
        (Value::Null, _) => {}
        (Value::Object(ours), Value::Object(theirs)) => {
            for (key, value) in ours {
                let theirs = theirs.get(key).unwrap_or(&Value::Null);
                if !value.is_null() {
                    assert!(
                        !theirs.is_null(),
                        "{what}: we produce {path}/{key} that the example lacks"
                    );
                }
                assert_subset(what, &format!("{path}/{key}"), value, theirs);
            }
        }
        (Value::Array(ours), Value::Array(theirs)) => {
            assert_eq!(ours.len(), theirs.len(), "{what}: {path}");
            for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
                assert_subset(what, &format!("{path}/{i}"), a, b);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(a.as_f64(), b.as_f64(), "{what}: {path}");
        }
        (a, b) => assert_eq!(a, b, "{what}: {path}"),
    }
}

#[test]
fn every_example_of_the_served_routes_fits_our_wire_types() {
    let Some(doc) = openapi() else {
        return;
    };
    let mut checked = 0;
    let routes: &[(&str, &str)] = &[
        ("/{agentName}/start", "post"),
        ("/agents", "get"),
        ("/agents", "post"),
        ("/agents/{agentName}", "get"),
        ("/agents/{agentName}", "post"),
        ("/agents/{agentName}", "delete"),
        ("/agents/{agentName}/logs", "get"),
        ("/agents/{agentName}/sessions", "get"),
        ("/agents/{agentName}/sessions/{sessionId}", "get"),
        ("/agents/{agentName}/sessions/{sessionId}", "delete"),
    ];
    for &(path, method) in routes {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "the document has no {method} {path}");
        if let Some(body) = operation.get("requestBody") {
            for example in examples(&doc, &resolve(&doc, body)["content"]) {
                let what = format!("{method} {path} request");
                match (path, method) {
                    ("/{agentName}/start", _) => check::<StartRequest>(&what, &example),
                    ("/agents", "post") => check::<CreateAgentRequest>(&what, &example),
                    ("/agents/{agentName}", "post") => check::<AgentSpec>(&what, &example),
                    _ => panic!("{what}: no wire type for this request"),
                }
                checked += 1;
            }
        }
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let response = resolve(&doc, response);
            let Some(content) = response.get("content") else {
                continue;
            };
            for example in examples(&doc, content) {
                let what = format!("{method} {path} {status}");
                if !status.starts_with('2') {
                    check::<ErrorBody>(&what, &example);
                } else {
                    match (path, method) {
                        ("/{agentName}/start", _) => check::<StartResponse>(&what, &example),
                        ("/agents", "get") => check::<AgentList>(&what, &example),
                        ("/agents", "post") | ("/agents/{agentName}", "get" | "post") => {
                            check::<AgentDetails>(&what, &example)
                        }
                        ("/agents/{agentName}", "delete") => {
                            assert_eq!(example["status"], "OK", "{what}")
                        }
                        ("/agents/{agentName}/logs", _) => check::<LogsResponse>(&what, &example),
                        ("/agents/{agentName}/sessions", _) => {
                            check::<SessionList>(&what, &example)
                        }
                        (_, "get") => check::<Session>(&what, &example),
                        (_, "delete") => check::<StopResponse>(&what, &example),
                        _ => panic!("{what}: no wire type for this answer"),
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} examples found: did the document change?"
    );
}

#[test]
fn the_seed_capacity_answer_fits_the_error_body() {
    let seed = serde_json::json!({"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"});
    check::<ErrorBody>("seed 429", &seed);
}

#[test]
fn without_the_variable_the_check_is_skipped_with_a_reason() {
    let reason = spec_path(None).unwrap_err();
    assert!(
        reason.starts_with("skipped:") && reason.contains(SPEC_VARIABLE),
        "{reason}"
    );
    assert!(spec_path(Some("".into())).is_err());
    assert_eq!(
        spec_path(Some("/x/spec.json".into())).unwrap(),
        PathBuf::from("/x/spec.json")
    );
}
