//! Names: stacks, exports, Regions, Availability Zones.

use super::{RuleResult, Violation};
use synth::Code;

/// Stack names: 1 to 128 characters, letters, digits and hyphens, starting with a letter.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>
/// and the CloudFormation API `CreateStack` StackName pattern `[a-zA-Z][-a-zA-Z0-9]*`.
pub fn stack_name(name: &str) -> RuleResult {
    let ok = (1..=128).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphabetic()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            Code::StackName,
            "stack name",
            "be 1 to 128 letters, digits or hyphens starting with a letter",
            "CloudFormation",
            format!("{name:?}"),
        ))
    }
}

/// Commercial Regions, from botocore 1.43.11 `data/partitions.json` (aws partition).
pub const REGIONS: [&str; 37] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-west-1",
];

/// Region codes: `<area>-<place>-<n>` as in botocore's partition regexes
/// (`^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`, `^cn\-\w+\-\d+$`, `^us\-gov\-\w+\-\d+$`, ...).
/// Source: botocore 1.43.11 `data/partitions.json`.
pub fn region(value: &str) -> RuleResult {
    let parts: Vec<&str> = value.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && parts[0].len() >= 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            Code::Region,
            "region",
            "be a Region code such as us-east-1",
            "AWS",
            format!("{value:?}"),
        ))
    }
}

/// Availability Zone names: the Region code plus one letter (`us-east-1a`), or a Local Zone
/// name in that Region (`us-west-2-lax-1a`), and in the stack's Region.
/// Source: <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>
pub fn availability_zone(field: &str, value: &str, stack_region: Option<&str>) -> RuleResult {
    let bad = |rule: String| {
        Err(Violation::new(
            Code::AvailabilityZone,
            field,
            &rule,
            "an Availability Zone name",
            format!("{value:?}"),
        ))
    };
    let Some(last) = value.chars().last() else {
        return bad("be a Region code followed by a letter, such as us-east-1a".into());
    };
    let base = &value[..value.len() - last.len_utf8()];
    if !last.is_ascii_lowercase()
        || region(base.split_once("-lax").map_or(base, |(r, _)| r)).is_err()
            && region(base).is_err()
    {
        return bad("be a Region code followed by a letter, such as us-east-1a".into());
    }
    if let Some(r) = stack_region {
        let in_region = base == r || base.starts_with(&format!("{r}-"));
        if !in_region {
            return bad(format!("be in the stack's Region {r}"));
        }
    }
    Ok(())
}

/// Export names: letters, digits, colons and hyphens.
/// Source: the CloudFormation service error "The Name field of every Export member must be
/// specified and consist only of alphanumeric characters, colons, or hyphens".
pub fn export_name(name: &str) -> RuleResult {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-')
    {
        Ok(())
    } else {
        Err(Violation::new(
            Code::ExportName,
            "Export.Name",
            "use only letters, digits, colons and hyphens",
            "a CloudFormation export",
            format!("{name:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks() {
        assert!(stack_name("parallelcluster-prerequisites").is_ok());
        assert_eq!(
            stack_name("1stack").unwrap_err().message,
            "stack name must be 1 to 128 letters, digits or hyphens starting with a letter for CloudFormation, got \"1stack\""
        );
        assert!(stack_name("my_stack").is_err());
        assert!(stack_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn regions_and_zones() {
        for r in REGIONS {
            assert!(region(r).is_ok(), "{r}");
        }
        assert!(region("useast1").is_err());
        assert!(availability_zone("PrimarySubnetAZ", "us-east-1a", Some("us-east-1")).is_ok());
        assert!(
            availability_zone("PrimarySubnetAZ", "us-west-2-lax-1a", Some("us-west-2")).is_ok()
        );
        assert_eq!(
            availability_zone("PrimarySubnetAZ", "us-east-1", None).unwrap_err().message,
            "PrimarySubnetAZ must be a Region code followed by a letter, such as us-east-1a for an Availability Zone name, got \"us-east-1\""
        );
        assert_eq!(
            availability_zone("PrimarySubnetAZ", "us-west-2a", Some("us-east-1")).unwrap_err().message,
            "PrimarySubnetAZ must be in the stack's Region us-east-1 for an Availability Zone name, got \"us-west-2a\""
        );
        assert!(availability_zone("PrimarySubnetAZ", "use1-az1", None).is_err());
    }

    #[test]
    fn exports() {
        assert!(export_name("parallelcluster-prerequisites-VPC").is_ok());
        assert_eq!(
            export_name("a_b").unwrap_err().message,
            "Export.Name must use only letters, digits, colons and hyphens for a CloudFormation export, got \"a_b\""
        );
    }
}
