//! What a deploy will change, shown before it asks and sends: the fields
//! it sets against what the agent's status says now, and the warnings
//! worth reading first.

use super::plan::Plan;
use pipecat_cloud::api::limits::DEFAULT_MAX_SESSION_DURATION;
use pipecat_cloud::api::types::AgentDetails;

/// What the deploy sets, as `field: old → new` for an update (only the
/// fields that differ) or `field: value` for a create.
pub fn changes(plan: &Plan, current: Option<&AgentDetails>) -> Vec<(&'static str, String)> {
    let spec = &plan.spec;
    let mut rows = Vec::new();
    // `old` is `None` when the status does not show the field back (it is
    // listed whenever set), else what the status says.
    let mut row = |label: &'static str, new: Option<String>, old: Option<Option<String>>| {
        let Some(new) = new else { return };
        match old {
            None => rows.push((label, new)),
            Some(old) if old.as_deref() != Some(new.as_str()) => rows.push((
                label,
                format!("{} → {new}", old.unwrap_or_else(|| "-".into())),
            )),
            Some(_) => {}
        }
    };
    let text = |value: Option<&str>| value.map(str::to_string);
    let count = |value: Option<u32>| value.map(|n| n.to_string());
    let o = current;
    row("Image", spec.image.clone(), o.map(|o| text(o.image())));
    row(
        "Cloud build",
        spec.build_id.clone(),
        o.map(|o| text(o.build_id())),
    );
    let region = spec.region.clone().or_else(|| {
        plan.default_region
            .as_ref()
            .map(|region| format!("{region} (organization default)"))
    });
    row("Region", region, o.map(|o| o.region.clone()));
    row(
        "Secret set",
        spec.secret_set.clone(),
        o.map(|o| text(o.secret_set())),
    );
    row(
        "Pull secret",
        spec.image_pull_secret_set
            .clone()
            .or_else(|| plan.no_credentials.then(|| "none (public image)".into())),
        o.filter(|_| spec.image_pull_secret_set.is_some())
            .map(|o| text(o.image_pull_secret())),
    );
    row(
        "Profile",
        spec.agent_profile.clone(),
        o.map(|o| o.agent_profile.clone()),
    );
    let scaling = spec.auto_scaling.clone().unwrap_or_default();
    row(
        "Min agents",
        count(scaling.min_agents),
        o.map(|o| count(o.min_agents())),
    );
    row(
        "Max agents",
        count(scaling.max_agents),
        o.map(|o| count(o.max_agents())),
    );
    row(
        "Krisp VIVA",
        spec.krisp_viva
            .as_ref()
            .and_then(|k| k.audio_filter.clone()),
        o.map(|o| text(o.krisp_filter())),
    );
    row(
        "Max session duration",
        spec.max_session_duration.map(|s| format!("{s} s")),
        o.map(|o| Some(format!("{} s", max_session_duration(o)))),
    );
    row("Websocket auth", spec.websocket_auth.clone(), None);
    row(
        "Architecture",
        spec.architecture.clone(),
        o.map(|o| text(o.architecture())),
    );
    rows
}

/// The max session duration an agent's sessions get now.
fn max_session_duration(details: &AgentDetails) -> u32 {
    details
        .max_session_duration()
        .unwrap_or(DEFAULT_MAX_SESSION_DURATION)
}

/// What to warn about before deploying `plan` over `current`.
pub fn warnings(plan: &Plan, current: Option<&AgentDetails>) -> Vec<String> {
    let mut warnings = Vec::new();
    let scaling = plan.spec.auto_scaling.clone().unwrap_or_default();
    if let Some(min) = scaling.min_agents.filter(|n| *n > 0) {
        warnings.push(format!(
            "--min-agents {min}: {min} reserved agent(s) are billed all the time, even without sessions"
        ));
    }
    if let (Some(new), Some(current)) = (plan.spec.max_session_duration, current) {
        let old = max_session_duration(current);
        if old != new {
            warnings.push(format!(
                "max session duration {old} s → {new} s makes a new deployment; \
                 running sessions keep their {old} s cap, new sessions get {new} s"
            ));
        }
    }
    let deploys_image = plan.spec.image.is_some() && plan.spec.build_id.is_none();
    if deploys_image
        && current.is_none()
        && plan.spec.image_pull_secret_set.is_none()
        && !plan.no_credentials
    {
        warnings.push(
            "no image pull secret: a private image will fail to pull \
             (--credentials SET names one; --no-credentials says the image is public)"
                .into(),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipecat_cloud::api::types::{
        AgentSpec, AutoScalingRequest, AutoScalingStatus, Deployment, Manifest, ManifestSpec,
    };

    fn plan(spec: AgentSpec) -> Plan {
        Plan {
            agent: "bot".into(),
            spec,
            no_credentials: false,
            default_region: None,
            source: None,
        }
    }

    fn running(image: &str, max_agents: u32) -> AgentDetails {
        AgentDetails {
            name: "bot".into(),
            auto_scaling: Some(AutoScalingStatus {
                min_replicas: Some(0),
                max_replicas: Some(max_agents),
            }),
            deployment: Some(Deployment {
                id: "d1".into(),
                manifest: Some(Manifest {
                    spec: Some(ManifestSpec {
                        image: Some(image.into()),
                        ..ManifestSpec::default()
                    }),
                    ..Manifest::default()
                }),
                ..Deployment::default()
            }),
            ..AgentDetails::default()
        }
    }

    #[test]
    fn a_create_lists_what_it_sets() {
        let plan = plan(AgentSpec {
            image: Some("me/bot:1".into()),
            max_session_duration: Some(600),
            ..AgentSpec::default()
        });
        assert_eq!(
            changes(&plan, None),
            [
                ("Image", "me/bot:1".to_string()),
                ("Max session duration", "600 s".to_string())
            ]
        );
        assert!(warnings(&plan, None)[0].starts_with("no image pull secret"));
    }

    #[test]
    fn an_update_lists_only_what_differs() {
        let current = running("me/bot:1", 3);
        let plan = plan(AgentSpec {
            image: Some("me/bot:1".into()),
            auto_scaling: Some(AutoScalingRequest {
                min_agents: Some(0),
                max_agents: Some(5),
            }),
            max_session_duration: Some(600),
            ..AgentSpec::default()
        });
        assert_eq!(
            changes(&plan, Some(&current)),
            [
                ("Max agents", "3 → 5".to_string()),
                ("Max session duration", "7200 s → 600 s".to_string())
            ]
        );
        let warned = warnings(&plan, Some(&current));
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(warned[0].starts_with("max session duration 7200 s → 600 s"));
    }
}
