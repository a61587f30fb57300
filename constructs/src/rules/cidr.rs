//! IPv4 CIDR rules for VPCs, secondary blocks and subnets.

use super::{RuleResult, Violation};
use std::fmt;

/// The diagnostic codes of the CIDR rules.
pub mod code {
    synth::codes! {
        CIDR_SYNTAX = "PC151", "a CIDR block is not a.b.c.d/n";
        VPC_BLOCK_SIZE = "PC152", "a VPC CIDR block is not between /16 and /28";
        SECONDARY_BLOCK = "PC153", "the secondary CIDR block may not be added to a VPC with that primary block";
        SUBNET_IN_BLOCK = "PC154", "a subnet does not lie inside its VPC block";
        CIDR_FIT = "PC155", "an Fn::Cidr asks for more or larger blocks than the block holds";
    }
}

/// An IPv4 CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address, host bits zero.
    pub addr: u32,
    /// The prefix length, 0 to 32.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` with the host bits zero.
    pub fn parse(field: &str, s: &str) -> Result<Cidr, Violation> {
        let bad = |rule: &str| {
            Violation::new(
                code::CIDR_SYNTAX,
                field,
                rule,
                "an IPv4 CIDR block",
                format!("{s:?}"),
            )
        };
        let (ip, prefix) = s.split_once('/').ok_or_else(|| bad("be a.b.c.d/n"))?;
        let prefix: u8 = prefix.parse().map_err(|_| bad("be a.b.c.d/n"))?;
        let octets: Vec<&str> = ip.split('.').collect();
        if octets.len() != 4 || prefix > 32 {
            return Err(bad("be a.b.c.d/n"));
        }
        let mut addr = 0u32;
        for o in octets {
            if o.is_empty() || o.len() > 3 || !o.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("be a.b.c.d/n"));
            }
            let v: u32 = o.parse().map_err(|_| bad("be a.b.c.d/n"))?;
            if v > 255 {
                return Err(bad("be a.b.c.d/n"));
            }
            addr = addr << 8 | v;
        }
        let c = Cidr { addr, prefix };
        if addr & !c.mask() != 0 {
            return Err(bad("have no host bits set after the prefix"));
        }
        Ok(c)
    }

    /// The netmask: `prefix` leading one bits.
    pub fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// Whether every address of `other` is in this block.
    pub fn contains(self, other: Cidr) -> bool {
        other.prefix >= self.prefix && other.addr & self.mask() == self.addr
    }

    /// Whether the two blocks share an address (one then contains the other).
    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.addr;
        write!(
            f,
            "{}.{}.{}.{}/{}",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255,
            self.prefix
        )
    }
}

/// VPC, secondary and subnet IPv4 blocks are /16 to /28.
/// Source: <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html>
pub fn block_size(field: &str, c: Cidr) -> RuleResult {
    if (16..=28).contains(&c.prefix) {
        Ok(())
    } else {
        Err(Violation::new(
            code::VPC_BLOCK_SIZE,
            field,
            "be between /16 and /28",
            "a VPC IPv4 block",
            c,
        ))
    }
}

/// A secondary block must not overlap the primary and must avoid the ranges AWS restricts for
/// the primary's range.
/// Source: <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html>
/// (IPv4 CIDR block association restrictions table).
pub fn secondary_block(primary: Cidr, secondary: Cidr) -> RuleResult {
    let bad = |rule: String| {
        Err(Violation::new(
            code::SECONDARY_BLOCK,
            "secondary CIDR",
            &rule,
            &format!("a VPC whose primary block is {primary}"),
            secondary,
        ))
    };
    if primary.overlaps(secondary) {
        return bad("not overlap the primary block".into());
    }
    let restricted: &[&str] = if cidr("10.0.0.0/8").contains(primary) {
        if cidr("10.0.0.0/15").contains(primary) {
            &[
                "172.16.0.0/12",
                "192.168.0.0/16",
                "198.19.0.0/16",
                "10.0.0.0/16",
            ]
        } else {
            &["172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"]
        }
    } else if cidr("172.16.0.0/12").contains(primary) {
        &[
            "10.0.0.0/8",
            "192.168.0.0/16",
            "198.19.0.0/16",
            "172.31.0.0/16",
        ]
    } else if cidr("192.168.0.0/16").contains(primary) {
        &["10.0.0.0/8", "172.16.0.0/12", "198.19.0.0/16"]
    } else {
        &[]
    };
    for r in restricted {
        if cidr(r).overlaps(secondary) {
            return bad(format!("not be inside {r}"));
        }
    }
    Ok(())
}

/// A subnet's block lies inside the VPC block it is cut from.
/// Source: <https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html>
pub fn subnet_in_block(field: &str, block: Cidr, subnet: Cidr) -> RuleResult {
    if block.contains(subnet) {
        Ok(())
    } else {
        Err(Violation::new(
            code::SUBNET_IN_BLOCK,
            field,
            &format!("lie inside {block}"),
            "a subnet of that VPC block",
            subnet,
        ))
    }
}

/// The block `Fn::Select [index, Fn::Cidr [block, count, bits]]` yields, as CloudFormation
/// computes it: `count` consecutive blocks of `bits` host bits from the start of `block`.
/// A block too small for them is refused naming the value given and the size to use: `count`
/// blocks of `/(32 - bits)` need a block of at least `/(32 - bits - ceil(log2 count))`.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-cidr.html>
pub fn fn_cidr_select(
    field: &str,
    block: Cidr,
    count: u32,
    bits: u8,
    index: u32,
) -> Result<Cidr, Violation> {
    // Host bits the blocks take together: `bits` plus enough to number `count` of them.
    let needed = u32::from(bits) + count.clamp(1, 512).next_power_of_two().trailing_zeros();
    if !(1..=256).contains(&count) || needed > 32 || index >= count {
        return Err(Violation::new(
            code::CIDR_FIT,
            field,
            "be cut into 1 to 256 blocks of 32 host bits at most in all, the selected one among them",
            &format!("Fn::Cidr of {block}"),
            format!("{count} blocks of {bits} host bits, block {index}"),
        ));
    }
    let prefix = 32 - bits;
    let largest = 32 - needed;
    if u32::from(block.prefix) > largest {
        let suggestion = Cidr {
            addr: block.addr & prefix_mask(largest),
            prefix: largest as u8,
        };
        return Err(Violation::new(
            code::CIDR_FIT,
            field,
            &format!("be a /{largest} or larger block, such as {suggestion},"),
            &format!("{count} subnets of /{prefix} (Fn::Cidr [block, {count}, {bits}])"),
            block,
        ));
    }
    let size = if bits == 32 { 0 } else { 1u32 << bits };
    Ok(Cidr {
        addr: block.addr + index * size,
        prefix,
    })
}

/// The netmask of a prefix length (0 to 32).
fn prefix_mask(prefix: u32) -> u32 {
    u32::MAX.checked_shl(32 - prefix.min(32)).unwrap_or(0)
}

fn cidr(s: &str) -> Cidr {
    // Only called with the constants above.
    Cidr::parse("constant", s).unwrap_or(Cidr {
        addr: 0,
        prefix: 32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse("x", s).unwrap()
    }

    #[test]
    fn parsing() {
        assert_eq!(c("10.1.0.0/16").to_string(), "10.1.0.0/16");
        assert_eq!(Cidr::parse("vpc.primary_cidr", "10.0.0.1/16").unwrap_err().message, "vpc.primary_cidr must have no host bits set after the prefix for an IPv4 CIDR block, got \"10.0.0.1/16\"");
        assert_eq!(
            Cidr::parse("vpc.primary_cidr", "10.0.0/16")
                .unwrap_err()
                .message,
            "vpc.primary_cidr must be a.b.c.d/n for an IPv4 CIDR block, got \"10.0.0/16\""
        );
        assert!(Cidr::parse("x", "300.0.0.0/16").is_err());
    }

    #[test]
    fn sizes() {
        assert!(block_size("CidrBlock", c("10.0.0.0/16")).is_ok());
        assert_eq!(
            block_size("CidrBlock", c("10.0.0.0/8"))
                .unwrap_err()
                .message,
            "CidrBlock must be between /16 and /28 for a VPC IPv4 block, got 10.0.0.0/8"
        );
    }

    #[test]
    fn secondary_blocks() {
        assert!(secondary_block(c("10.0.0.0/16"), c("10.1.0.0/16")).is_ok());
        assert_eq!(
            secondary_block(c("10.0.0.0/16"), c("10.0.0.0/16")).unwrap_err().message,
            "secondary CIDR must not overlap the primary block for a VPC whose primary block is 10.0.0.0/16, got 10.0.0.0/16"
        );
        assert_eq!(
            secondary_block(c("10.0.0.0/16"), c("192.168.0.0/16")).unwrap_err().message,
            "secondary CIDR must not be inside 192.168.0.0/16 for a VPC whose primary block is 10.0.0.0/16, got 192.168.0.0/16"
        );
        assert!(secondary_block(c("10.0.0.0/16"), c("100.64.0.0/16")).is_ok());
    }

    #[test]
    fn fn_cidr() {
        assert_eq!(
            fn_cidr_select("s", c("10.1.0.0/16"), 2, 15, 0).unwrap(),
            c("10.1.0.0/17")
        );
        assert_eq!(
            fn_cidr_select("s", c("10.1.0.0/16"), 2, 15, 1).unwrap(),
            c("10.1.128.0/17")
        );
        assert!(fn_cidr_select("s", c("10.1.0.0/24"), 2, 15, 0).is_err());
        // A block too small: the message names the block given and the size to use.
        assert_eq!(
            fn_cidr_select("network.primary_cidr", c("10.20.0.0/20"), 2, 15, 0)
                .unwrap_err()
                .message,
            "network.primary_cidr must be a /16 or larger block, such as 10.20.0.0/16, for 2 subnets of /17 (Fn::Cidr [block, 2, 15]), got 10.20.0.0/20"
        );
        assert_eq!(
            fn_cidr_select("s", c("10.1.2.0/24"), 3, 8, 0).unwrap_err().message,
            "s must be a /22 or larger block, such as 10.1.0.0/22, for 3 subnets of /24 (Fn::Cidr [block, 3, 8]), got 10.1.2.0/24"
        );
        assert!(fn_cidr_select("s", c("10.1.0.0/22"), 3, 8, 2).is_ok());
        assert_eq!(
            fn_cidr_select("s", c("0.0.0.0/0"), 4, 31, 0).unwrap_err().message,
            "s must be cut into 1 to 256 blocks of 32 host bits at most in all, the selected one among them for Fn::Cidr of 0.0.0.0/0, got 4 blocks of 31 host bits, block 0"
        );
        assert!(fn_cidr_select("s", c("10.1.0.0/16"), 2, 15, 2).is_err());
        assert!(fn_cidr_select("s", c("10.1.0.0/16"), 0, 15, 0).is_err());
        assert!(subnet_in_block("s", c("10.1.0.0/16"), c("10.1.0.0/17")).is_ok());
        assert!(subnet_in_block("s", c("10.1.0.0/16"), c("10.2.0.0/17")).is_err());
    }
}
