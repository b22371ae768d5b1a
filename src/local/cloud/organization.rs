//! Regions and organization properties. A local cloud has region `local`
//! and whatever `serve --region` adds (they are names only: every session
//! runs on this machine); one property, `defaultRegion`, where agents and
//! secret sets go when a request names no region.

use serde_json::{Map, Value, json};

use crate::api::types::{
    DEFAULT_REGION_PROPERTY, Properties, PropertySchema, PropertySchemas, Region, RegionList,
};

use super::super::error::{CloudError, CloudResult};
use super::Cloud;

/// The region every local cloud has, first in the list.
pub const LOCAL_REGION: &str = "local";

impl Cloud {
    pub fn regions(&self) -> RegionList {
        RegionList {
            regions: self
                .settings
                .regions
                .iter()
                .map(|code| Region {
                    code: code.clone(),
                    display_name: if code == LOCAL_REGION {
                        "This machine".into()
                    } else {
                        format!("{code} (on this machine)")
                    },
                    supported_architectures: None,
                    default_architecture: None,
                })
                .collect(),
        }
    }

    /// A region must be one this server has.
    pub(super) fn check_region(&self, region: &str) -> CloudResult<()> {
        if self.settings.regions.iter().any(|r| r == region) {
            Ok(())
        } else {
            Err(CloudError::InvalidInput(format!(
                "Region '{region}' is not available. Available regions: {}",
                self.settings.regions.join(", ")
            )))
        }
    }

    /// Where agents and secret sets go when a request names no region:
    /// the stored `defaultRegion` while this server has it, else `local`.
    pub(super) fn default_region(&self) -> CloudResult<String> {
        Ok(self
            .store
            .property(DEFAULT_REGION_PROPERTY)?
            .filter(|region| self.settings.regions.contains(region))
            .unwrap_or_else(|| LOCAL_REGION.to_string()))
    }

    pub fn properties(&self) -> CloudResult<Properties> {
        let mut properties = std::collections::BTreeMap::new();
        properties.insert(
            DEFAULT_REGION_PROPERTY.to_string(),
            Value::String(self.default_region()?),
        );
        Ok(Properties { properties })
    }

    pub fn property_schemas(&self) -> CloudResult<PropertySchemas> {
        let mut properties = std::collections::BTreeMap::new();
        properties.insert(
            DEFAULT_REGION_PROPERTY.to_string(),
            PropertySchema {
                value_type: "string".into(),
                description: "Default region for new service deployments".into(),
                default: json!(LOCAL_REGION),
                current_value: json!(self.default_region()?),
                read_only: false,
                available_values: Some(self.settings.regions.iter().map(|r| json!(r)).collect()),
            },
        );
        Ok(PropertySchemas { properties })
    }

    /// Sets properties (only `defaultRegion` exists), all or none.
    pub fn update_properties(&self, changes: Map<String, Value>) -> CloudResult<PropertySchemas> {
        if changes.is_empty() {
            return Err(CloudError::InvalidInput("No properties provided".into()));
        }
        let mut region = None;
        for (name, value) in &changes {
            if name != DEFAULT_REGION_PROPERTY {
                return Err(CloudError::InvalidInput(format!(
                    "Property '{name}' is not a valid property"
                )));
            }
            let Some(code) = value.as_str() else {
                return Err(CloudError::InvalidInput(format!(
                    "Property '{name}' must be a string"
                )));
            };
            self.check_region(code)?;
            region = Some(code);
        }
        if let Some(region) = region {
            self.store.set_property(DEFAULT_REGION_PROPERTY, region)?;
        }
        self.property_schemas()
    }
}
