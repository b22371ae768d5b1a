//! Secret sets: stored in the data dir's database, listed and read by
//! key only, and handed to sessions as environment variables (see
//! [`Cloud::session_env`]). A value is never returned by a route, logged,
//! or put in an error message: messages name sets and keys only.

use crate::api::limits::{MAX_SECRET_SET_BYTES, MAX_SECRET_VALUE_BYTES};
use crate::api::names::{check_secret_key, check_secret_set_name};
use crate::api::types::{
    SECRET_SET_READY, SecretKey, SecretSet, SecretSetList, SecretSetRequest, SecretSetStored,
    SecretSetSummary, SecretValue,
};

use super::super::error::{CloudError, CloudResult, What};
use super::super::store::{DeploymentOptions, SecretKind, SecretSetRecord};
use super::super::time::now_ns;
use super::Cloud;

/// The answer to a body that fits none of the three shapes, whatever was
/// wrong with it (serde's own messages may quote a value).
pub const INVALID_SECRETS_REQUEST: &str = "Invalid request format: send {\"secrets\": [{\"secretKey\", \"secretValue\"}], \"region\"?}, \
     {\"secretKey\", \"secretValue\", \"region\"?} or {\"isImagePullSecret\": true, \"host\", \"secretValue\", \"region\"?}";

impl Cloud {
    /// Every set, in `region` only if given.
    pub fn secret_sets(&self, region: Option<&str>) -> CloudResult<SecretSetList> {
        let sets = self
            .store
            .secret_sets()?
            .into_iter()
            .filter(|set| region.is_none_or(|region| set.region == region))
            .map(|set| SecretSetSummary {
                name: set.name,
                set_type: set.kind.as_str().into(),
                region: Some(set.region),
                status: Some(SECRET_SET_READY.into()),
                error_message: None,
            })
            .collect();
        Ok(SecretSetList { sets })
    }

    /// The keys of a regular set; an image pull secret cannot be read.
    pub fn secret_set(&self, name: &str) -> CloudResult<SecretSet> {
        let set = self.existing_set(name)?;
        if set.kind == SecretKind::ImagePull {
            return Err(CloudError::InvalidInput(
                "Cannot retrieve image pull secrets by name".into(),
            ));
        }
        Ok(SecretSet {
            secrets: self
                .store
                .secret_keys(name)?
                .into_iter()
                .map(|field_name| SecretKey { field_name })
                .collect(),
            region: Some(set.region),
            status: Some(SECRET_SET_READY.into()),
            error_message: None,
            source: None,
        })
    }

    /// Creates or updates a set from any of the request's three shapes.
    /// A set keeps its kind and its region.
    pub fn store_secret_set(
        &self,
        name: &str,
        request: SecretSetRequest,
    ) -> CloudResult<SecretSetStored> {
        check_secret_set_name(name).map_err(CloudError::InvalidInput)?;
        let requested_region = request.region.clone();
        let (kind, host, values) = shape(request)?;
        let region = match requested_region.filter(|r| !r.is_empty()) {
            Some(region) => {
                self.check_region(&region)?;
                Some(region)
            }
            None => None,
        };
        // Under the agents' lock: a deploy that names this set sees it
        // whole, before or after.
        let _agents = self.agents();
        let existing = self.store.secret_set(name)?;
        let now = now_ns();
        let record = match existing {
            Some(set) => {
                if set.kind != kind {
                    return Err(CloudError::InvalidInput(
                        match set.kind {
                            SecretKind::Regular => {
                                "Cannot update existing regular secrets to image pull secrets"
                            }
                            SecretKind::ImagePull => {
                                "Cannot update an existing image pull secret to regular secrets"
                            }
                        }
                        .into(),
                    ));
                }
                if let Some(region) = region.filter(|r| *r != set.region) {
                    return Err(CloudError::InvalidInput(format!(
                        "Secret already exists in region '{}'. Cannot change region to '{region}'.",
                        set.region
                    )));
                }
                SecretSetRecord {
                    host: host.or(set.host.clone()),
                    updated_ns: now,
                    ..set
                }
            }
            None => SecretSetRecord {
                name: name.to_string(),
                kind,
                region: match region {
                    Some(region) => region,
                    None => self.default_region()?,
                },
                host,
                created_ns: now,
                updated_ns: now,
            },
        };
        self.check_set_size(&record, &values)?;
        self.store.store_secrets(&record, &values)?;
        Ok(SecretSetStored {
            status: Some("OK".into()),
            region: Some(record.region),
        })
    }

    /// Deletes a set, unless a live agent's deployment uses it.
    pub fn delete_secret_set(&self, name: &str) -> CloudResult<()> {
        check_secret_set_name(name).map_err(CloudError::InvalidInput)?;
        let agents = self.agents();
        let mut users: Vec<&str> = agents
            .values()
            .filter(|agent| {
                let options = &agent.deployment.options;
                options.secret_set.as_deref() == Some(name)
                    || options.image_pull_secret_set.as_deref() == Some(name)
            })
            .map(|agent| agent.name.as_str())
            .collect();
        if !users.is_empty() {
            users.sort_unstable();
            return Err(CloudError::Conflict(format!(
                "Secret set '{name}' is used by agent(s) {}: deploy them without it, or delete them, first",
                users.join(", ")
            )));
        }
        if self.store.delete_secret_set(name)? {
            Ok(())
        } else {
            Err(CloudError::NotFound(What::SecretSet))
        }
    }

    /// Deletes one key of a regular set.
    pub fn delete_secret(&self, name: &str, key: &str) -> CloudResult<()> {
        let set = self.existing_set(name)?;
        if set.kind == SecretKind::ImagePull {
            return Err(CloudError::InvalidInput(
                "Cannot delete a key from an image pull secret: delete the set".into(),
            ));
        }
        let _agents = self.agents();
        if self.store.delete_secret(name, key, now_ns())? {
            Ok(())
        } else {
            Err(CloudError::NotFound(What::Secret))
        }
    }

    /// The environment variables a session of a deployment gets: its
    /// secret set's keys and values, read when the session starts (so a
    /// changed set reaches new sessions only).
    pub(super) fn session_env(
        &self,
        options: &DeploymentOptions,
    ) -> CloudResult<Vec<(String, SecretValue)>> {
        let Some(name) = &options.secret_set else {
            return Ok(Vec::new());
        };
        if self.store.secret_set(name)?.is_none() {
            return Err(CloudError::NotReady(format!(
                "the deployment's secret set '{name}' no longer exists"
            )));
        }
        Ok(self.store.secret_values(name)?)
    }

    /// A deployment in `region` may name only sets that exist there, each
    /// of the right kind. Called with the agents' lock held.
    pub(super) fn check_bound_sets(
        &self,
        region: &str,
        options: &DeploymentOptions,
    ) -> CloudResult<()> {
        let bound = [
            (&options.secret_set, SecretKind::Regular, "secretSet"),
            (
                &options.image_pull_secret_set,
                SecretKind::ImagePull,
                "imagePullSecretSet",
            ),
        ];
        for (name, kind, field) in bound {
            let Some(name) = name else { continue };
            let set = self.store.secret_set(name)?.ok_or_else(|| {
                CloudError::InvalidInput(format!("{field}: secret set '{name}' not found"))
            })?;
            if set.kind != kind {
                return Err(CloudError::InvalidInput(format!(
                    "{field}: '{name}' is {}, not {}",
                    describe(set.kind),
                    describe(kind)
                )));
            }
            if set.region != region {
                return Err(CloudError::InvalidInput(format!(
                    "{field}: secret set '{name}' is in region '{}', the agent in '{region}': \
                     secrets must be in the agent's region",
                    set.region
                )));
            }
        }
        Ok(())
    }

    fn existing_set(&self, name: &str) -> CloudResult<SecretSetRecord> {
        check_secret_set_name(name).map_err(CloudError::InvalidInput)?;
        self.store
            .secret_set(name)?
            .ok_or(CloudError::NotFound(What::SecretSet))
    }

    /// The set with `values` stored must stay within the limits.
    fn check_set_size(
        &self,
        set: &SecretSetRecord,
        values: &[(String, SecretValue)],
    ) -> CloudResult<()> {
        let mut sizes: std::collections::HashMap<String, usize> =
            self.store.secret_sizes(&set.name)?.into_iter().collect();
        for (key, value) in values {
            sizes.insert(key.clone(), value.len());
        }
        let total: usize = sizes.iter().map(|(key, size)| key.len() + size).sum();
        if total > MAX_SECRET_SET_BYTES {
            return Err(CloudError::InvalidInput(format!(
                "Secret set '{}' would hold {total} bytes; the limit is {MAX_SECRET_SET_BYTES}",
                set.name
            )));
        }
        Ok(())
    }
}

fn describe(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::Regular => "a secret set",
        SecretKind::ImagePull => "an image pull secret",
    }
}

/// The kind, registry host and values a request stores.
type Shape = (SecretKind, Option<String>, Vec<(String, SecretValue)>);

fn shape(request: SecretSetRequest) -> CloudResult<Shape> {
    let invalid = |message: &str| Err(CloudError::InvalidInput(message.to_string()));
    let values = if request.is_image_pull_secret == Some(true) {
        let (Some(host), Some(value)) = (request.host, request.secret_value) else {
            return invalid(
                "Must provide isImagePullSecret, host, and secretValue to update an image pull secret",
            );
        };
        if host.trim().is_empty() || value.is_empty() {
            return invalid("host and secretValue of an image pull secret must not be empty");
        }
        // As documented: the host gets a trailing slash.
        let host = if host.ends_with('/') {
            host
        } else {
            format!("{host}/")
        };
        check_value("the image pull secret", &value)?;
        return Ok((
            SecretKind::ImagePull,
            Some(host),
            vec![("credentials".into(), value)],
        ));
    } else {
        match (request.secrets, request.secret_key, request.secret_value) {
            (Some(pairs), None, None) if !pairs.is_empty() => pairs
                .into_iter()
                .map(|pair| (pair.secret_key, pair.secret_value))
                .collect::<Vec<_>>(),
            (None, Some(key), Some(value)) => vec![(key, value)],
            _ => return invalid(INVALID_SECRETS_REQUEST),
        }
    };
    for (key, value) in &values {
        check_secret_key(key).map_err(CloudError::InvalidInput)?;
        check_value(key, value)?;
    }
    Ok((SecretKind::Regular, None, values))
}

fn check_value(key: &str, value: &SecretValue) -> CloudResult<()> {
    if value.len() > MAX_SECRET_VALUE_BYTES {
        return Err(CloudError::InvalidInput(format!(
            "The value of {key} is {} bytes; the limit is {MAX_SECRET_VALUE_BYTES}",
            value.len()
        )));
    }
    if value.expose().contains('\0') {
        return Err(CloudError::InvalidInput(format!(
            "The value of {key} contains a NUL character, which no environment variable can hold"
        )));
    }
    Ok(())
}
