//! Names: stacks, exports, Regions, Availability Zones.

use super::{RuleResult, Violation};

/// The diagnostic codes of the naming rules.
pub mod code {
    synth::codes! {
        STACK_NAME = "PC161", "a stack name breaks CloudFormation's stack name rules";
        REGION = "PC162", "a Region is not an existing AWS Region code such as us-east-1";
        AVAILABILITY_ZONE = "PC163", "an Availability Zone is not a zone name, or not in the Region";
        EXPORT_NAME = "PC164", "an export name uses characters CloudFormation exports do not allow";
    }
}

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
            code::STACK_NAME,
            "stack name",
            "be 1 to 128 letters, digits or hyphens starting with a letter",
            "CloudFormation",
            format!("{name:?}"),
        ))
    }
}

/// Every Region code pcstack accepts: generated from the Region list of the pinned cfn-lint
/// (`cfnlint/data/schemas/providers/<region>.json`), see `crate::l1::regions`.
pub use crate::l1::regions::REGIONS;

/// The form of a Region code: `<area>-<place>-<n>` (`us-east-1`, `us-gov-west-1`,
/// `eusc-de-east-1`), as in botocore's partition regexes.
fn region_form(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && parts[0].len() >= 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
}

/// Region codes: one of [`REGIONS`]. A near miss (`us-esat-1`) names the closest Region.
/// Source: the Region list of cfn-lint (version pinned in `requirements.txt`), generated into
/// `constructs/src/l1/regions.rs`.
pub fn region(value: &str) -> RuleResult {
    if REGIONS.contains(&value) {
        return Ok(());
    }
    let rule = match closest_region(value) {
        Some(near) => format!("be an AWS Region code (did you mean {near}?)"),
        None if region_form(value) => {
            "be an AWS Region code that exists, such as us-east-1".to_string()
        }
        None => "be a Region code such as us-east-1".to_string(),
    };
    Err(Violation::new(
        code::REGION,
        "region",
        &rule,
        "AWS",
        format!("{value:?}"),
    ))
}

/// The Region code closest to `value` by edit distance, when it is a plausible typo (at most
/// 2 edits, a swap of neighbours counting as one).
pub fn closest_region(value: &str) -> Option<&'static str> {
    closest(value, REGIONS.iter().copied(), 2)
}

/// "Did you mean": the project's one implementation, bounded, in the bottom crate.
pub use synth::catalog::closest;

/// Availability Zone names: the Region code plus one letter (`us-east-1a`), or a Local Zone
/// name in that Region (`us-west-2-lax-1a`), and in the stack's Region.
/// Source: <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>
pub fn availability_zone(field: &str, value: &str, stack_region: Option<&str>) -> RuleResult {
    let bad = |rule: String| {
        Err(Violation::new(
            code::AVAILABILITY_ZONE,
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
        || !REGIONS
            .iter()
            .any(|r| base == *r || base.starts_with(&format!("{r}-")))
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

/// Whether `value` has the form of an Availability Zone ID: a lowercase Region abbreviation
/// ending in its number, optionally a Local Zone part, then `-az` and a number (`use1-az2`,
/// `apne1-az4`, `usw2-lax1-az1`). IDs name the same physical zone in every account, where names
/// (`us-east-1a`) are mapped per account.
/// Source: <https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html>
pub fn is_zone_id(value: &str) -> bool {
    let Some((head, number)) = value.rsplit_once("-az") else {
        return false;
    };
    let parts: Vec<&str> = head.split('-').collect();
    let word = |p: &str| {
        let letters = p.trim_end_matches(|c: char| c.is_ascii_digit());
        !letters.is_empty()
            && letters.len() < p.len()
            && letters.bytes().all(|b| b.is_ascii_lowercase())
    };
    !number.is_empty()
        && number.len() <= 3
        && number.bytes().all(|b| b.is_ascii_digit())
        && (1..=2).contains(&parts.len())
        && parts.iter().all(|p| word(p))
}

/// An Availability Zone given by name (`us-east-1a`, checked as [`availability_zone`]) or by
/// ID (`use1-az2`, checked for its form: which Region an ID belongs to is known only to EC2,
/// and deploy resolves it there with DescribeAvailabilityZones).
/// Source: <https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html>
pub fn zone_name_or_id(field: &str, value: &str, stack_region: Option<&str>) -> RuleResult {
    if is_zone_id(value) {
        return Ok(());
    }
    if availability_zone(field, value, None).is_err() {
        return Err(Violation::new(
            code::AVAILABILITY_ZONE,
            field,
            "be an Availability Zone name such as us-east-1a or a zone ID such as use1-az2",
            "an Availability Zone",
            format!("{value:?}"),
        ));
    }
    availability_zone(field, value, stack_region)
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
            code::EXPORT_NAME,
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
        assert_eq!(
            region("us-esat-1").unwrap_err().message,
            "region must be an AWS Region code (did you mean us-east-1?) for AWS, got \"us-esat-1\""
        );
        assert_eq!(
            region("xx-north-9").unwrap_err().message,
            "region must be an AWS Region code that exists, such as us-east-1 for AWS, got \"xx-north-9\""
        );
        assert_eq!(
            region("useast1").unwrap_err().message,
            "region must be an AWS Region code (did you mean us-east-1?) for AWS, got \"useast1\""
        );
        assert_eq!(
            region("nowhere").unwrap_err().message,
            "region must be a Region code such as us-east-1 for AWS, got \"nowhere\""
        );
        assert_eq!(closest_region("eu-west-01"), Some("eu-west-1"));
        assert_eq!(closest_region("ue-east-1"), Some("us-east-1"));
        assert_eq!(closest_region(" US-EAST-1 "), Some("us-east-1"));
        assert!(region("me-south-1").is_ok());
        assert!(region("eusc-de-east-1").is_ok());
        assert!(
            availability_zone("PrimarySubnetAZ", "us-esat-1a", None).is_err(),
            "a zone of a Region that does not exist"
        );
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
    fn zone_ids_and_names() {
        for id in [
            "use1-az2",
            "apne1-az4",
            "usw2-lax1-az1",
            "cac1-az4",
            "usgw1-az1",
        ] {
            assert!(is_zone_id(id), "{id}");
            assert!(zone_name_or_id("f", id, Some("us-east-1")).is_ok(), "{id}");
        }
        for not in [
            "us-east-1a",
            "use1",
            "use1-az",
            "az1",
            "use1-aza",
            "Use1-az2",
            "use-az2",
            "1-az1",
            "a-b-c-az1",
        ] {
            assert!(!is_zone_id(not), "{not}");
        }
        assert!(zone_name_or_id("f", "us-east-1c", Some("us-east-1")).is_ok());
        assert_eq!(
            zone_name_or_id("network.availability_zone", "use1-azz", None).unwrap_err().message,
            "network.availability_zone must be an Availability Zone name such as us-east-1a or a zone ID such as use1-az2 for an Availability Zone, got \"use1-azz\""
        );
        assert_eq!(
            zone_name_or_id("f", "us-west-2a", Some("us-east-1")).unwrap_err().message,
            "f must be in the stack's Region us-east-1 for an Availability Zone name, got \"us-west-2a\""
        );
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
