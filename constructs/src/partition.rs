//! The AWS partition a Region belongs to: the value of `AWS::Partition` and `AWS::URLSuffix`
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html),
//! and the `arn:PARTITION:` of the ARNs built outside a template. The one table pcstack has.

/// A partition: its name and, where pcstack knows it, its DNS suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub name: &'static str,
    /// `amazonaws.com`, `amazonaws.com.cn`, ...; `None` where pcstack does not know it.
    pub url_suffix: Option<&'static str>,
}

/// Region prefixes of the partitions other than `aws`, longest match first where they overlap
/// (`us-isob-` before `us-iso-`).
const PARTITIONS: [(&str, Partition); 7] = [
    ("cn-", part("aws-cn", Some("amazonaws.com.cn"))),
    ("us-gov-", part("aws-us-gov", Some("amazonaws.com"))),
    ("us-isob-", part("aws-iso-b", Some("sc2s.sgov.gov"))),
    ("us-isof-", part("aws-iso-f", None)),
    ("us-iso-", part("aws-iso", Some("c2s.ic.gov"))),
    ("eu-isoe-", part("aws-iso-e", None)),
    ("eusc-", part("aws-eusc", None)),
];

const fn part(name: &'static str, url_suffix: Option<&'static str>) -> Partition {
    Partition { name, url_suffix }
}

/// The partition of `region` (`aws` for every commercial Region).
pub fn of(region: &str) -> Partition {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or(part("aws", Some("amazonaws.com")), |(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn each_partition_from_its_regions() {
        let cases = [
            ("us-east-1", "aws", Some("amazonaws.com")),
            ("cn-north-1", "aws-cn", Some("amazonaws.com.cn")),
            ("us-gov-west-1", "aws-us-gov", Some("amazonaws.com")),
            ("us-iso-east-1", "aws-iso", Some("c2s.ic.gov")),
            ("us-isob-east-1", "aws-iso-b", Some("sc2s.sgov.gov")),
            ("us-isof-south-1", "aws-iso-f", None),
            ("eu-isoe-west-1", "aws-iso-e", None),
        ];
        for (region, name, suffix) in cases {
            let p = of(region);
            assert_eq!((p.name, p.url_suffix), (name, suffix), "{region}");
        }
    }
}
