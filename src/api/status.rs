//! Reading an agent's status: what every view of an agent derives from it
//! (the deployment in effect, its image, scaling and limits) and the phase
//! of its deployment, defined once for `agent status`, `agent list`,
//! `agent deployments` and `deploy`.

use super::types::{AgentDetails, AgentListItem, Deployment, ManifestSpec};

impl AgentDetails {
    /// The deployment the agent is moving to, else the one it runs.
    pub fn deployment_id(&self) -> Option<&str> {
        self.desired_deployment_id
            .as_deref()
            .or(self.active_deployment_id.as_deref())
    }

    /// True when some deployment serves sessions (an older one may, while
    /// a new one rolls out); statuses without `available` say `ready`.
    pub fn is_available(&self) -> bool {
        self.available.unwrap_or(self.ready)
    }

    fn spec(&self) -> Option<&ManifestSpec> {
        self.deployment.as_ref().and_then(Deployment::spec)
    }

    /// The image of the current deployment.
    pub fn image(&self) -> Option<&str> {
        self.spec().and_then(|spec| spec.image.as_deref())
    }

    /// The cloud build of the current deployment, when it runs one.
    pub fn build_id(&self) -> Option<&str> {
        self.deployment.as_ref()?.build_id.as_deref()
    }

    /// Agents kept running without sessions.
    pub fn min_agents(&self) -> Option<u32> {
        self.auto_scaling.as_ref()?.min_replicas
    }

    /// The session limit.
    pub fn max_agents(&self) -> Option<u32> {
        self.auto_scaling.as_ref()?.max_replicas
    }

    /// The max session duration (seconds) the agent sets; `None` means the
    /// platform default ([`super::limits::DEFAULT_MAX_SESSION_DURATION`]).
    pub fn max_session_duration(&self) -> Option<u32> {
        self.spec()?.max_session_duration_seconds
    }

    /// The secret set whose values its sessions get.
    pub fn secret_set(&self) -> Option<&str> {
        self.spec()?
            .env_from_secret_names
            .as_ref()?
            .first()
            .map(String::as_str)
    }

    /// The image pull secret its image is pulled with.
    pub fn image_pull_secret(&self) -> Option<&str> {
        self.spec()?.image_pull_secret_name.as_deref()
    }

    /// The CPU architecture it runs on.
    pub fn architecture(&self) -> Option<&str> {
        self.spec()?.arch.as_deref()
    }

    /// The Krisp VIVA filter, when noise filtering is on.
    pub fn krisp_filter(&self) -> Option<&str> {
        self.krisp_viva.as_ref()?.audio_filter.as_deref()
    }

    /// Where the deployment is; see [`Phase`].
    pub fn phase(&self) -> Phase {
        Phase::of(self)
    }

    /// Why the new revision is not healthy, if it is not: its health
    /// reason, else its health message.
    pub fn degraded_reason(&self) -> Option<String> {
        let health = self.current_revision.as_ref()?.health.as_ref()?;
        if health.ready == Some(true) {
            return None;
        }
        health.reason.clone().or_else(|| health.message.clone())
    }

    /// Why the deployment failed, if the status says so: the `errors`
    /// array, or a current revision in phase `Failed`; with the revision's
    /// health reason, exit code and termination reason when there are any
    /// (e.g. `CrashLoopBackOff, exit code 1`).
    pub fn failure(&self) -> Option<String> {
        let revision = self.current_revision.as_ref();
        let failed_revision = revision.and_then(|r| r.phase.as_deref()) == Some("Failed");
        let mut text = match self.errors.first() {
            Some(error) => match (&error.code, &error.message) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.clone(),
                (None, Some(message)) => message.clone(),
                (None, None) => "the platform reported an error".into(),
            },
            None if failed_revision => "the new revision failed".into(),
            None => return None,
        };
        if let Some(health) = revision.and_then(|r| r.health.as_ref()) {
            let mut extra = Vec::new();
            if let Some(reason) = &health.reason {
                extra.push(format!("reason {reason}"));
            }
            if let Some(code) = health.last_exit_code {
                extra.push(format!("exit code {code}"));
            }
            if let Some(why) = &health.last_termination_reason {
                extra.push(format!("last termination {why}"));
            }
            if !extra.is_empty() {
                text.push_str(&format!(" ({})", extra.join(", ")));
            }
            if self.errors.is_empty()
                && let Some(message) = &health.message
            {
                text.push_str(&format!(": {}", message.trim()));
            }
        }
        Some(text)
    }
}

impl AgentListItem {
    /// The deployment the agent is moving to, else the one it runs.
    pub fn deployment_id(&self) -> Option<&str> {
        self.desired_deployment_id
            .as_deref()
            .or(self.active_deployment_id.as_deref())
    }
}

impl Deployment {
    fn spec(&self) -> Option<&ManifestSpec> {
        self.manifest.as_ref()?.spec.as_ref()
    }

    /// The image this deployment runs (unless it runs a cloud build).
    pub fn image(&self) -> Option<&str> {
        self.spec()?.image.as_deref()
    }

    /// The kind of node it runs on (`dailyNodeType`).
    pub fn node_type(&self) -> Option<&str> {
        self.spec()?.daily_node_type.as_deref()
    }

    /// The max session duration (seconds) it set; `None` means the
    /// platform default.
    pub fn max_session_duration(&self) -> Option<u32> {
        self.spec()?.max_session_duration_seconds
    }

    /// Agents it kept running without sessions.
    pub fn min_agents(&self) -> Option<u32> {
        self.spec()?.auto_scaling.as_ref()?.min_replicas
    }

    /// Its session limit.
    pub fn max_agents(&self) -> Option<u32> {
        self.spec()?.auto_scaling.as_ref()?.max_replicas
    }
}

/// Where an agent's deployment is, read from its status the way the
/// official CLI reads it; the first rule that matches wins (see
/// [`Phase::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The platform has not yet picked up the newest deployment.
    WaitingForOperator,
    Ready,
    /// An older deployment serves; the new one is unhealthy.
    DegradedAvailable,
    /// An older deployment serves while the new one rolls out.
    ProgressingAvailable,
    /// Nothing serves yet; the first revision is being created.
    ProgressingNew,
    Unavailable,
}

impl Phase {
    /// The phase of `details`: waiting while the reconciled deployment is
    /// not the desired one; then ready, degraded or rolling out while some
    /// deployment is available; then deploying while the revision is
    /// created or validated; else unavailable.
    pub fn of(details: &AgentDetails) -> Phase {
        if let Some(desired) = details.deployment_id()
            && details.reconciled_deployment_id.as_deref() != Some(desired)
        {
            return Phase::WaitingForOperator;
        }
        let ready = details.ready || details.active_deployment_ready == Some(true);
        let available = details.is_available();
        if available && ready {
            Phase::Ready
        } else if available && details.degraded_reason().is_some() {
            Phase::DegradedAvailable
        } else if available {
            Phase::ProgressingAvailable
        } else if details
            .current_revision
            .as_ref()
            .and_then(|r| r.phase.as_deref())
            .is_some_and(|p| p == "Creating" || p == "Validating")
        {
            Phase::ProgressingNew
        } else {
            Phase::Unavailable
        }
    }

    /// The phase in words, with the health reason when there is one.
    pub fn describe(self, details: &AgentDetails) -> String {
        let base = match self {
            Phase::WaitingForOperator => "waiting for the platform to pick up the deployment",
            Phase::Ready => "ready",
            Phase::DegradedAvailable => "available, but the new deployment is degraded",
            Phase::ProgressingAvailable => "available, new deployment rolling out",
            Phase::ProgressingNew => "deploying",
            Phase::Unavailable => "unavailable",
        };
        match (self, details.degraded_reason()) {
            (Phase::DegradedAvailable | Phase::Unavailable, Some(reason)) => {
                format!("{base} ({reason})")
            }
            _ => base.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{
        AgentError, AutoScalingStatus, Manifest, RevisionHealth, RevisionInfo,
    };

    fn crashing() -> RevisionInfo {
        RevisionInfo {
            health: Some(RevisionHealth {
                ready: Some(false),
                reason: Some("CrashLoopBackOff".into()),
                last_exit_code: Some(1),
                ..RevisionHealth::default()
            }),
            ..RevisionInfo::default()
        }
    }

    #[test]
    fn phases_follow_the_first_matching_rule() {
        let mut d = AgentDetails {
            desired_deployment_id: Some("d2".into()),
            reconciled_deployment_id: Some("d1".into()),
            ..AgentDetails::default()
        };
        assert_eq!(d.phase(), Phase::WaitingForOperator);
        d.reconciled_deployment_id = Some("d2".into());
        d.ready = true;
        d.available = Some(true);
        assert_eq!(d.phase(), Phase::Ready);
        d.ready = false;
        assert_eq!(d.phase(), Phase::ProgressingAvailable);
        d.current_revision = Some(crashing());
        assert_eq!(d.phase(), Phase::DegradedAvailable);
        d.available = Some(false);
        assert_eq!(d.phase(), Phase::Unavailable);
        assert_eq!(
            Phase::Unavailable.describe(&d),
            "unavailable (CrashLoopBackOff)"
        );
        d.current_revision = Some(RevisionInfo {
            phase: Some("Validating".into()),
            ..RevisionInfo::default()
        });
        assert_eq!(d.phase(), Phase::ProgressingNew);
        assert_eq!(Phase::ProgressingNew.describe(&d), "deploying");
    }

    #[test]
    fn an_active_deployment_counts_when_none_is_desired() {
        let mut d = AgentDetails {
            active_deployment_id: Some("d1".into()),
            reconciled_deployment_id: Some("d0".into()),
            ..AgentDetails::default()
        };
        assert_eq!(d.deployment_id(), Some("d1"));
        assert_eq!(d.phase(), Phase::WaitingForOperator);
        d.reconciled_deployment_id = Some("d1".into());
        d.active_deployment_ready = Some(true);
        // No `available` field: `ready` (false here) stands in for it.
        assert!(!d.is_available());
        assert_eq!(d.phase(), Phase::Unavailable);
    }

    #[test]
    fn accessors_read_the_deployment_in_effect() {
        let d = AgentDetails {
            auto_scaling: Some(AutoScalingStatus {
                min_replicas: Some(0),
                max_replicas: Some(3),
            }),
            deployment: Some(Deployment {
                id: "d1".into(),
                build_id: Some("b1".into()),
                manifest: Some(Manifest {
                    spec: Some(ManifestSpec {
                        image: Some("me/bot:1".into()),
                        max_session_duration_seconds: Some(600),
                        ..ManifestSpec::default()
                    }),
                    ..Manifest::default()
                }),
                ..Deployment::default()
            }),
            ..AgentDetails::default()
        };
        assert_eq!(d.image(), Some("me/bot:1"));
        assert_eq!(d.build_id(), Some("b1"));
        assert_eq!((d.min_agents(), d.max_agents()), (Some(0), Some(3)));
        assert_eq!(d.max_session_duration(), Some(600));
        assert_eq!(AgentDetails::default().max_session_duration(), None);
        let deployment = d.deployment.as_ref().unwrap();
        assert_eq!(deployment.image(), Some("me/bot:1"));
        assert_eq!(deployment.max_session_duration(), Some(600));
        assert_eq!(deployment.max_agents(), None);
    }

    #[test]
    fn failures_name_the_error_and_the_revision_health() {
        let mut d = AgentDetails {
            current_revision: Some(crashing()),
            ..AgentDetails::default()
        };
        assert_eq!(d.failure(), None);
        d.current_revision.as_mut().unwrap().phase = Some("Failed".into());
        assert_eq!(
            d.failure().unwrap(),
            "the new revision failed (reason CrashLoopBackOff, exit code 1)"
        );
        d.errors.push(AgentError {
            code: Some("IMAGE_PULL".into()),
            message: Some("no such image".into()),
        });
        assert_eq!(
            d.failure().unwrap(),
            "IMAGE_PULL: no such image (reason CrashLoopBackOff, exit code 1)"
        );
    }
}
