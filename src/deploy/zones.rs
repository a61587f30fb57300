//! Availability Zones by name and by ID, and what EC2 says about them: the instance types
//! offered in each (by zone ID), the account's capacity reservations and the Capacity Block
//! offerings. Zone names (`us-east-1a`) are mapped to physical zones per account; zone IDs
//! (`use1-az2`) are the same in every account, and reservations are tied to them.
//!
//! [`Zones::resolve`] is the one way a config field or parameter holding a zone name or ID
//! becomes a zone of the Region: `Zones::fetch(&aws).await?.resolve("network.availability_zone",
//! value)?.name` is the name to send (exit 2 naming the field and the Region's zones when it is
//! none of them).

use super::aws::Aws;
use super::signed::query::Item;
use super::signed::CallError;
use crate::error::Error;
use indexmap::IndexMap;

/// One zone of the Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// `us-east-1c`: this account's name for it.
    pub name: String,
    /// `use1-az2`: the same physical zone in every account.
    pub id: String,
    /// `availability-zone`, `local-zone` or `wavelength-zone`.
    pub kind: String,
    /// `available`, `impaired`, `unavailable` ...
    pub state: String,
}

impl Zone {
    /// `us-east-1c (use1-az2)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.id)
    }
}

/// The zones of a Region (DescribeAvailabilityZones: those enabled for the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zones {
    pub region: String,
    pub zones: Vec<Zone>,
}

/// A failed EC2 call: the error as every AWS failure is reported, and whether the caller lacks
/// the permission (checks that need the call then become warnings naming it).
#[derive(Debug)]
pub struct Failed {
    pub error: Error,
    /// The IAM action the call needs (`ec2:DescribeAvailabilityZones`).
    pub action: String,
    pub denied: bool,
}

impl From<Failed> for Error {
    fn from(f: Failed) -> Self {
        f.error
    }
}

/// Classifies a failed EC2 call (`signed::Api::fail`), noting a missing permission.
pub fn failed(aws: &Aws, operation: &str, e: CallError) -> Failed {
    let denied = match &e {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(s) => {
            use aws_smithy_types::error::metadata::ProvideErrorMetadata;
            matches!(
                s.err().code(),
                Some("UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException")
            ) || s.raw().status().as_u16() == 403
        }
        _ => false,
    };
    let api = operation.split_whitespace().next().unwrap_or(operation);
    Failed {
        action: aws.ec2.action(api),
        error: aws.ec2.fail(operation, e, &aws.login),
        denied,
    }
}

impl Zones {
    /// Every zone of `aws`'s Region.
    pub async fn fetch(aws: &Aws) -> Result<Zones, Failed> {
        let op = "DescribeAvailabilityZones";
        let page = aws
            .ec2
            .query(
                op,
                &[],
                "availabilityZoneInfo",
                &["zoneName", "zoneId", "zoneType", "zoneState"],
            )
            .await
            .map_err(|e| failed(aws, &format!("{op} {}", aws.region), e))?;
        let field = |item: &Item, k: &str| item.get(k).cloned().unwrap_or_default();
        let zones = page
            .items
            .iter()
            .map(|i| Zone {
                name: field(i, "zoneName"),
                id: field(i, "zoneId"),
                kind: field(i, "zoneType"),
                state: field(i, "zoneState"),
            })
            .filter(|z| !z.name.is_empty() && !z.id.is_empty())
            .collect();
        Ok(Zones {
            region: aws.region.clone(),
            zones,
        })
    }

    pub fn by_name(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.name == name)
    }

    pub fn by_id(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// `value` (a zone name or a zone ID) as one of the Region's zones; exit 2 naming `field`,
    /// the value and the zones there are when it is none of them.
    pub fn resolve(&self, field: &str, value: &str) -> Result<&Zone, Error> {
        let found = if constructs::rules::names::is_zone_id(value) {
            self.by_id(value)
        } else {
            self.by_name(value)
        };
        found.ok_or_else(|| {
            Error::usage(format!(
                "{field} must be a zone name or zone ID of {} for this account, got {:?} (zones there: {}); nothing was sent to CloudFormation",
                self.region,
                synth::input::echo(value),
                self.list()
            ))
        })
    }

    /// `us-east-1a (use1-az6), us-east-1b (use1-az1), ...`.
    pub fn list(&self) -> String {
        let labels: Vec<String> = self.zones.iter().map(Zone::label).collect();
        if labels.is_empty() {
            "none".into()
        } else {
            labels.join(", ")
        }
    }

    /// The labels of the zones with these IDs, in the Region's order.
    pub fn labels_of(&self, ids: &[String]) -> Vec<String> {
        self.zones
            .iter()
            .filter(|z| ids.contains(&z.id))
            .map(Zone::label)
            .collect()
    }
}

/// For each instance type, the IDs of the zones that offer it (DescribeInstanceTypeOfferings,
/// `LocationType=availability-zone-id`, every page). A type offered nowhere in the Region (or
/// that doesn't exist) has an empty list.
pub async fn offerings(
    aws: &Aws,
    types: &[String],
) -> Result<IndexMap<String, Vec<String>>, Failed> {
    let op = "DescribeInstanceTypeOfferings";
    let mut params = vec![
        (
            "LocationType".to_string(),
            "availability-zone-id".to_string(),
        ),
        ("Filter.1.Name".to_string(), "instance-type".to_string()),
    ];
    for (i, t) in types.iter().enumerate() {
        params.push((format!("Filter.1.Value.{}", i + 1), t.clone()));
    }
    let items = aws
        .ec2
        .query_list_all(
            op,
            &params,
            "instanceTypeOfferingSet",
            &["instanceType", "location"],
        )
        .await
        .map_err(|e| failed(aws, &format!("{op} {}", aws.region), e))?;
    let mut out: IndexMap<String, Vec<String>> =
        types.iter().map(|t| (t.clone(), Vec::new())).collect();
    for item in items {
        let (Some(t), Some(zone)) = (item.get("instanceType"), item.get("location")) else {
            continue;
        };
        if let Some(zones) = out.get_mut(t) {
            if !zones.contains(zone) {
                zones.push(zone.clone());
            }
        }
    }
    Ok(out)
}

/// A capacity reservation, as DescribeCapacityReservations tells it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reservation {
    pub id: String,
    pub instance_type: String,
    /// The zone's name in this account and its ID.
    pub zone_name: String,
    pub zone_id: String,
    /// `active`, `expired`, `cancelled`, `pending`, `failed`, `scheduled`, `payment-pending`,
    /// `payment-failed`, `assessing`, `delayed`, `unsupported` ...
    pub state: String,
    /// `default` (an On-Demand Capacity Reservation) or `capacity-block`.
    pub kind: String,
    pub total: i64,
    pub available: i64,
    /// ISO 8601, as EC2 writes them; empty when EC2 gives none.
    pub start: String,
    pub end: String,
}

const RESERVATION_FIELDS: &[&str] = &[
    "capacityReservationId",
    "instanceType",
    "availabilityZone",
    "availabilityZoneId",
    "state",
    "reservationType",
    "totalInstanceCount",
    "availableInstanceCount",
    "startDate",
    "endDate",
];

fn reservation(item: &Item) -> Reservation {
    let text = |k: &str| item.get(k).cloned().unwrap_or_default();
    let number = |k: &str| item.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
    Reservation {
        id: text("capacityReservationId"),
        instance_type: text("instanceType"),
        zone_name: text("availabilityZone"),
        zone_id: text("availabilityZoneId"),
        state: text("state"),
        // EC2 leaves it out for reservations made before Capacity Blocks existed.
        kind: item
            .get("reservationType")
            .cloned()
            .unwrap_or_else(|| "default".into()),
        total: number("totalInstanceCount"),
        available: number("availableInstanceCount"),
        start: text("startDate"),
        end: text("endDate"),
    }
}

/// The reservation `id`; `Ok(None)` when EC2 says it doesn't exist (or isn't shared with the
/// account).
pub async fn reservation_by_id(aws: &Aws, id: &str) -> Result<Option<Reservation>, Failed> {
    let op = "DescribeCapacityReservations";
    // One ID, one answer: no MaxResults (EC2 refuses it beside IDs in several Describe calls).
    let params = [("CapacityReservationId.1".to_string(), id.to_string())];
    let page = match aws
        .ec2
        .query(op, &params, "capacityReservationSet", RESERVATION_FIELDS)
        .await
    {
        Ok(page) => page,
        Err(e)
            if super::aws::code(&e)
                .is_some_and(|c| c.starts_with("InvalidCapacityReservationId")) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(failed(aws, &format!("{op} {id}"), e)),
    };
    Ok(page.items.iter().map(reservation).find(|r| r.id == id))
}

/// The account's reservations (its own and those shared with it) for these instance types.
pub async fn reservations_for(aws: &Aws, types: &[String]) -> Result<Vec<Reservation>, Failed> {
    let op = "DescribeCapacityReservations";
    let mut params = vec![("Filter.1.Name".to_string(), "instance-type".to_string())];
    for (i, t) in types.iter().enumerate() {
        params.push((format!("Filter.1.Value.{}", i + 1), t.clone()));
    }
    let items = aws
        .ec2
        .query_list_all(op, &params, "capacityReservationSet", RESERVATION_FIELDS)
        .await
        .map_err(|e| failed(aws, &format!("{op} {}", aws.region), e))?;
    Ok(items.iter().map(reservation).collect())
}

/// A Capacity Block one can buy (DescribeCapacityBlockOfferings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockOffering {
    pub id: String,
    pub instance_type: String,
    /// The zone's name in this account.
    pub zone_name: String,
    pub count: i64,
    pub start: String,
    pub end: String,
    pub hours: i64,
    pub fee: String,
    pub currency: String,
}

/// The Capacity Blocks of `count` instances of `instance_type` for `hours` on sale now, every
/// zone of the Region (the call has no zone filter; each offering names its zone).
pub async fn block_offerings(
    aws: &Aws,
    instance_type: &str,
    count: u32,
    hours: u32,
) -> Result<Vec<BlockOffering>, Failed> {
    let op = "DescribeCapacityBlockOfferings";
    let params = [
        ("InstanceType".to_string(), instance_type.to_string()),
        ("InstanceCount".to_string(), count.to_string()),
        ("CapacityDurationHours".to_string(), hours.to_string()),
    ];
    let items = aws
        .ec2
        .query_list_all(
            op,
            &params,
            "capacityBlockOfferingSet",
            &[
                "capacityBlockOfferingId",
                "instanceType",
                "availabilityZone",
                "instanceCount",
                "startDate",
                "endDate",
                "capacityBlockDurationHours",
                "upfrontFee",
                "currencyCode",
            ],
        )
        .await
        .map_err(|e| failed(aws, &format!("{op} {instance_type}"), e))?;
    Ok(items
        .iter()
        .map(|i| {
            let text = |k: &str| i.get(k).cloned().unwrap_or_default();
            let number = |k: &str| i.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
            BlockOffering {
                id: text("capacityBlockOfferingId"),
                instance_type: text("instanceType"),
                zone_name: text("availabilityZone"),
                count: number("instanceCount"),
                start: text("startDate"),
                end: text("endDate"),
                hours: number("capacityBlockDurationHours"),
                fee: text("upfrontFee"),
                currency: text("currencyCode"),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_is_found_by_name_or_id_and_nothing_else() {
        let zone = |name: &str, id: &str| Zone {
            name: name.into(),
            id: id.into(),
            kind: "availability-zone".into(),
            state: "available".into(),
        };
        let zones = Zones {
            region: "us-east-1".into(),
            zones: vec![
                zone("us-east-1a", "use1-az6"),
                zone("us-east-1c", "use1-az2"),
            ],
        };
        assert_eq!(zones.resolve("f", "use1-az2").unwrap().name, "us-east-1c");
        assert_eq!(zones.resolve("f", "us-east-1a").unwrap().id, "use1-az6");
        assert_eq!(
            zones.resolve("network.availability_zone", "us-east-1b").unwrap_err().to_string(),
            "network.availability_zone must be a zone name or zone ID of us-east-1 for this account, got \"us-east-1b\" (zones there: us-east-1a (use1-az6), us-east-1c (use1-az2)); nothing was sent to CloudFormation"
        );
        assert!(zones.resolve("f", "use1-az1").is_err());
        assert_eq!(
            zones.labels_of(&["use1-az2".into()]),
            ["us-east-1c (use1-az2)"]
        );
    }
}
