//! What pcstack knows about a resource type, in one place: the create-only properties (a change
//! replaces the resource) and whether the type holds data (replacing or removing it loses data).
//! Create-only properties come from the generated resource types in `constructs::l1` (with
//! the extras the docs add to their schemas), else from the type table of every type
//! ([`crate::registry`]); `holds_data` from the generated types.

/// The create-only properties of a type as `/`-separated paths
/// (`LustreConfiguration/DeploymentType`); `None` when pcstack doesn't know the type.
pub fn create_only(type_name: &str) -> Option<&'static [&'static str]> {
    constructs::l1::create_only_of(type_name).or_else(|| {
        crate::registry::registry()
            .get(type_name)
            .map(|t| t.create_only.as_slice())
    })
}

/// Whether replacing or removing a resource of this type loses data: file systems and their
/// associations, buckets, repositories.
pub fn holds_data(type_name: &str) -> bool {
    constructs::l1::holds_data(type_name)
}

/// Whether a property path touches one of the type's create-only paths: the same path, a path
/// under one (a value inside a create-only object), or one above (a whole object holding one).
pub fn is_create_only(type_name: &str, property: &str) -> bool {
    create_only(type_name).is_some_and(|paths| {
        paths.iter().any(|p| {
            *p == property
                || property.strip_prefix(p).is_some_and(|r| r.starts_with('/'))
                || p.strip_prefix(property).is_some_and(|r| r.starts_with('/'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_only_paths_match_above_and_below() {
        let t = "AWS::FSx::FileSystem";
        assert!(is_create_only(t, "LustreConfiguration/DeploymentType"));
        assert!(is_create_only(t, "LustreConfiguration"));
        assert!(!is_create_only(
            t,
            "LustreConfiguration/DataCompressionType"
        ));
        assert!(!is_create_only(t, "LustreConfiguration/Deployment"));
        assert!(!is_create_only("AWS::Unknown::Type", "Anything"));
        // Types outside the generated ones come from the type table.
        assert!(is_create_only(
            "AWS::RDS::DBInstance",
            "DBInstanceIdentifier"
        ));
        assert!(is_create_only("AWS::Lambda::Function", "FunctionName"));
        assert!(!is_create_only("AWS::Lambda::Function", "MemorySize"));
    }

    #[test]
    fn data_holding_types() {
        for t in [
            "AWS::FSx::FileSystem",
            "AWS::FSx::DataRepositoryAssociation",
            "AWS::S3::Bucket",
            "AWS::ECR::Repository",
        ] {
            assert!(holds_data(t), "{t}");
        }
        for t in ["AWS::EC2::VPC", "AWS::S3::BucketPolicy", "AWS::IAM::Role"] {
            assert!(!holds_data(t), "{t}");
        }
    }
}
