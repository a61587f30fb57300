//! The AWS partition a Region belongs to: the value of `AWS::Partition` and `AWS::URLSuffix`
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html),
//! the `arn:PARTITION:` of the ARNs built outside a template, and the DNS suffixes of the
//! endpoints pcstack calls without an SDK crate. The one table pcstack has.
//!
//! Names, DNS suffixes (`dnsSuffix`, `dualStackDnsSuffix`) and FIPS / dual-stack support are
//! those of the partition table the AWS SDKs carry (`partitions.json`, version 1.1, as built
//! into aws-sdk-cloudformation 1.136's `endpoint_lib`).

/// A partition: its name, DNS suffixes and which endpoint variants it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub name: &'static str,
    /// `amazonaws.com`, `amazonaws.com.cn`, ...: `AWS::URLSuffix`.
    pub url_suffix: &'static str,
    /// The suffix of dual-stack (IPv4 and IPv6) endpoints: `api.aws`, ...
    pub dual_stack_suffix: &'static str,
    /// Whether the partition has FIPS endpoints.
    pub fips: bool,
    /// Whether the partition has dual-stack endpoints.
    pub dual_stack: bool,
}

/// Region prefixes of the partitions other than `aws`, longest match first where they overlap
/// (`us-isob-` before `us-iso-`).
const PARTITIONS: [(&str, Partition); 7] = [
    (
        "cn-",
        part("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    ),
    ("us-gov-", part("aws-us-gov", "amazonaws.com", "api.aws")),
    (
        "us-isob-",
        part("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud"),
    ),
    (
        "us-isof-",
        part("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
    ),
    ("us-iso-", part("aws-iso", "c2s.ic.gov", "api.aws.ic.gov")),
    (
        "eu-isoe-",
        part("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
    ),
    (
        "eusc-",
        part("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"),
    ),
];

/// Every partition of the table has FIPS and dual-stack endpoints.
const fn part(
    name: &'static str,
    url_suffix: &'static str,
    dual_stack_suffix: &'static str,
) -> Partition {
    Partition {
        name,
        url_suffix,
        dual_stack_suffix,
        fips: true,
        dual_stack: true,
    }
}

/// The partition of `region` (`aws` for every commercial Region, as in the SDKs, whose `aws`
/// partition is also the one of a Region no other partition claims).
pub fn of(region: &str) -> Partition {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or(part("aws", "amazonaws.com", "api.aws"), |(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn each_partition_from_its_regions() {
        let cases = [
            ("us-east-1", "aws", "amazonaws.com", "api.aws"),
            (
                "cn-north-1",
                "aws-cn",
                "amazonaws.com.cn",
                "api.amazonwebservices.com.cn",
            ),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com", "api.aws"),
            ("us-iso-east-1", "aws-iso", "c2s.ic.gov", "api.aws.ic.gov"),
            (
                "us-isob-east-1",
                "aws-iso-b",
                "sc2s.sgov.gov",
                "api.aws.scloud",
            ),
            (
                "us-isof-south-1",
                "aws-iso-f",
                "csp.hci.ic.gov",
                "api.aws.hci.ic.gov",
            ),
            (
                "eu-isoe-west-1",
                "aws-iso-e",
                "cloud.adc-e.uk",
                "api.cloud-aws.adc-e.uk",
            ),
            (
                "eusc-de-east-1",
                "aws-eusc",
                "amazonaws.eu",
                "api.amazonwebservices.eu",
            ),
        ];
        for (region, name, suffix, dual_stack) in cases {
            let p = of(region);
            assert_eq!(
                (p.name, p.url_suffix, p.dual_stack_suffix),
                (name, suffix, dual_stack),
                "{region}"
            );
            assert!(p.fips && p.dual_stack, "{region}");
        }
    }
}
