//! `pcstack zones`: every zone of the Region by name and ID, whether each instance type is
//! offered there, the account's capacity reservations there for those types and, with
//! `--capacity-block DAYS --count N`, the Capacity Blocks on sale. Read-only EC2 calls
//! (`deploy::zones`); nothing else.

use crate::cli::args::{ZonesArgs, ZonesFormat};
use crate::deploy::aws::Aws;
use crate::deploy::placement::OFFERED_IS_NOT_FREE;
use crate::deploy::zones::{self, BlockOffering, Reservation, Zone, Zones};
use crate::error::Error;
use indexmap::IndexMap;
use serde_json::{json, Value as Json};

/// What the command asks EC2, checked before any call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub instance_types: Vec<String>,
    /// `--capacity-block DAYS --count N`: (hours, instances).
    pub block: Option<(u32, u32)>,
}

/// Capacity Block durations: 1 to 14 days, then whole weeks up to 182 days.
/// Source: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeCapacityBlockOfferings.html>
/// (CapacityDurationHours: "in 1-day increments up 14 days, and in 7-day increments up to 182
/// days"); at most 64 instances per block.
pub fn check_block(days: u32, count: u32) -> Result<(u32, u32), Error> {
    let mut problems = Vec::new();
    if !((1..=14).contains(&days) || (days <= 182 && days.is_multiple_of(7) && days > 0)) {
        problems.push(format!(
            "--capacity-block must be 1 to 14 days, or whole weeks (21, 28 ...) up to 182 days, for a Capacity Block, got {days}"
        ));
    }
    if !(1..=64).contains(&count) {
        problems.push(format!(
            "--count must be 1 to 64 instances for a Capacity Block, got {count}"
        ));
    }
    if problems.is_empty() {
        Ok((days * 24, count))
    } else {
        Err(Error::usage(problems.join("\n")))
    }
}

/// The request from the flags: `--instance-type` (each checked for its form), else the
/// instance types of the config's `cluster` section (`needs`).
pub fn request(args: &ZonesArgs, needs: Option<stacks::ClusterNeeds>) -> Result<Request, Error> {
    let mut types: Vec<String> = Vec::new();
    let given: Vec<String> = if args.instance_type.is_empty() {
        needs
            .map(|n| n.instance_types.into_iter().map(|(_, t)| t).collect())
            .unwrap_or_default()
    } else {
        args.instance_type.clone()
    };
    for t in given {
        constructs::rules::pcluster::instance_type("--instance-type", &t)
            .map_err(|v| Error::usage(v.message))?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    if types.is_empty() {
        return Err(Error::usage(
            "give --instance-type TYPE (repeatable), or a --config whose cluster section names them",
        ));
    }
    let block = match (args.capacity_block, args.count) {
        (Some(days), Some(count)) => Some(check_block(days, count)?),
        _ => None,
    };
    Ok(Request {
        instance_types: types,
        block,
    })
}

/// Everything found, zone by zone.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub offered: IndexMap<String, Vec<String>>,
    /// `None`: not checked (no permission).
    pub reservations: Option<Vec<Reservation>>,
    pub blocks: Option<Vec<BlockOffering>>,
    pub warnings: Vec<String>,
}

/// The EC2 calls: zones and offerings are needed (their failure is the command's); the
/// reservations and Capacity Blocks without permission are a warning naming it.
pub async fn find(aws: &Aws, req: &Request) -> Result<(Zones, Found), Error> {
    let zones = Zones::fetch(aws).await?;
    let mut found = Found {
        offered: zones::offerings(aws, &req.instance_types).await?,
        ..Found::default()
    };
    found.warnings.extend(offered_nowhere(
        &req.instance_types,
        &zones.region,
        &found.offered,
    ));
    let skipped = |what: &str, f: &zones::Failed| {
        format!(
            "{what} not listed: this identity may not call {} (allow it, e.g. with ec2:Describe*)",
            f.action
        )
    };
    match zones::reservations_for(aws, &req.instance_types).await {
        Ok(r) => found.reservations = Some(r),
        Err(f) if f.denied => found.warnings.push(skipped("capacity reservations", &f)),
        Err(f) => return Err(f.into()),
    }
    if let Some((hours, count)) = req.block {
        let mut all = Vec::new();
        for t in &req.instance_types {
            match zones::block_offerings(aws, t, count, hours).await {
                Ok(b) => all.extend(b),
                Err(f) if f.denied => {
                    found.warnings.push(skipped("Capacity Block offerings", &f));
                    break;
                }
                Err(f) => return Err(f.into()),
            }
        }
        if found.warnings.iter().all(|w| !w.contains("Capacity Block")) {
            found.blocks = Some(all);
        }
    }
    Ok((zones, found))
}

/// A warning for each type no zone of the Region offers: a typo (`p5.48xlarg`, with "did you
/// mean" from the instance type list), a type this Region doesn't sell, or one EC2 no longer
/// sells. Without it a typo prints a table of `-` as if it were an answer.
fn offered_nowhere(
    types: &[String],
    region: &str,
    offered: &IndexMap<String, Vec<String>>,
) -> Vec<String> {
    types
        .iter()
        .filter(|t| offered.get(*t).is_none_or(Vec::is_empty))
        .map(|t| {
            let hint = constructs::rules::pcluster::closest_instance_type(t)
                .map(|near| format!(" (did you mean {near}?)"))
                .unwrap_or_default();
            format!("no zone of {region} offers instance type {t}{hint}")
        })
        .collect()
}

fn reservation_json(r: &Reservation) -> Json {
    json!({
        "CapacityReservationId": r.id,
        "InstanceType": r.instance_type,
        "ReservationType": r.kind,
        "State": r.state,
        "AvailableInstanceCount": r.available,
        "TotalInstanceCount": r.total,
        "StartDate": r.start,
        "EndDate": r.end,
    })
}

fn block_json(b: &BlockOffering) -> Json {
    json!({
        "CapacityBlockOfferingId": b.id,
        "InstanceType": b.instance_type,
        "InstanceCount": b.count,
        "StartDate": b.start,
        "EndDate": b.end,
        "CapacityBlockDurationHours": b.hours,
        "UpfrontFee": b.fee,
        "CurrencyCode": b.currency,
    })
}

/// Whether the reservation or offering is in `zone` (by ID when EC2 gives one).
fn in_zone(zone: &Zone, name: &str, id: &str) -> bool {
    if id.is_empty() {
        zone.name == name
    } else {
        zone.id == id
    }
}

/// `--format json`: `{"Region", "InstanceTypes", "Zones": [{"ZoneName", "ZoneId", "ZoneType",
/// "State", "Offered": {TYPE: bool}, "CapacityReservations": [...] (null: not checked),
/// "CapacityBlockOfferings": [...] (only with --capacity-block)}]}`.
pub fn to_json(req: &Request, zones: &Zones, found: &Found) -> Json {
    let rows: Vec<Json> = zones
        .zones
        .iter()
        .map(|z| {
            let offered: serde_json::Map<String, Json> = req
                .instance_types
                .iter()
                .map(|t| {
                    let here = found.offered.get(t).is_some_and(|ids| ids.contains(&z.id));
                    (t.clone(), Json::Bool(here))
                })
                .collect();
            let mut row = json!({
                "ZoneName": z.name, "ZoneId": z.id, "ZoneType": z.kind, "State": z.state,
                "Offered": offered,
                "CapacityReservations": found.reservations.as_ref().map(|rs| rs.iter()
                    .filter(|r| in_zone(z, &r.zone_name, &r.zone_id))
                    .map(reservation_json).collect::<Vec<_>>()),
            });
            if req.block.is_some() {
                row["CapacityBlockOfferings"] = json!(found.blocks.as_ref().map(|bs| bs
                    .iter()
                    .filter(|b| in_zone(z, &b.zone_name, ""))
                    .map(block_json)
                    .collect::<Vec<_>>()));
            }
            row
        })
        .collect();
    json!({"Region": zones.region, "InstanceTypes": req.instance_types, "Zones": rows})
}

/// `--format table`: a row per zone, a column per instance type, then each zone's
/// reservations and Capacity Blocks indented under it; the note that offered is not free.
pub fn to_table(req: &Request, zones: &Zones, found: &Found) -> String {
    let labels: Vec<String> = zones.zones.iter().map(Zone::label).collect();
    let width = labels.iter().map(String::len).max().unwrap_or(4).max(4);
    let mut out = format!("{:width$}", "ZONE");
    for t in &req.instance_types {
        out.push_str(&format!("  {t}"));
    }
    out.push('\n');
    for (z, label) in zones.zones.iter().zip(&labels) {
        out.push_str(&format!("{label:width$}"));
        for t in &req.instance_types {
            let here = found.offered.get(t).is_some_and(|ids| ids.contains(&z.id));
            let cell = if here { "offered" } else { "-" };
            out.push_str(&format!("  {cell:w$}", w = t.len()));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        for r in found.reservations.iter().flatten() {
            if in_zone(z, &r.zone_name, &r.zone_id) {
                out.push_str(&format!(
                    "  reservation {} {} {} {}: {} of {} free, {} to {}\n",
                    r.id,
                    r.instance_type,
                    r.kind,
                    r.state,
                    r.available,
                    r.total,
                    or_dash(&r.start),
                    or_dash(&r.end)
                ));
            }
        }
        for b in found.blocks.iter().flatten() {
            if in_zone(z, &b.zone_name, "") {
                out.push_str(&format!(
                    "  capacity block {} x {} {} to {} ({} h): {} {} upfront\n",
                    b.count, b.instance_type, b.start, b.end, b.hours, b.fee, b.currency
                ));
            }
        }
    }
    if found.reservations.as_ref().is_some_and(Vec::is_empty) {
        out.push_str("no capacity reservations for these instance types\n");
    }
    if found.blocks.as_ref().is_some_and(Vec::is_empty) {
        out.push_str("no Capacity Blocks on sale for that duration and count\n");
    }
    out.push_str(&format!("note: {OFFERED_IS_NOT_FREE}\n"));
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

/// Runs the command: the request checked, then the calls, then the output.
pub async fn run(aws: &Aws, req: &Request, format: ZonesFormat) -> Result<String, Error> {
    let (zones, found) = find(aws, req).await?;
    for w in &found.warnings {
        crate::cli::eprint_line(&format!("warning: {w}"));
    }
    Ok(match format {
        ZonesFormat::Table => to_table(req, &zones, &found),
        ZonesFormat::Json => {
            let v = to_json(req, &zones, &found);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string())
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_offered_nowhere_is_named_with_the_closest_listed_type() {
        let types = ["p5.48xlarg", "g5.8xlarge", "zz9.nothing"].map(String::from);
        let mut offered = IndexMap::new();
        offered.insert("g5.8xlarge".to_string(), vec!["use1-az1".to_string()]);
        offered.insert("zz9.nothing".to_string(), vec![]);
        assert_eq!(
            offered_nowhere(&types, "us-east-1", &offered),
            [
                "no zone of us-east-1 offers instance type p5.48xlarg (did you mean p5.48xlarge?)",
                "no zone of us-east-1 offers instance type zz9.nothing",
            ]
        );
    }

    #[test]
    fn capacity_block_durations_and_counts() {
        for days in [1, 7, 14, 21, 28, 182] {
            assert_eq!(check_block(days, 2).ok(), Some((days * 24, 2)), "{days}");
        }
        for days in [0, 15, 20, 183, 189] {
            assert!(check_block(days, 2).is_err(), "{days}");
        }
        assert_eq!(
            check_block(15, 65).unwrap_err().to_string(),
            "--capacity-block must be 1 to 14 days, or whole weeks (21, 28 ...) up to 182 days, for a Capacity Block, got 15\n--count must be 1 to 64 instances for a Capacity Block, got 65"
        );
    }
}
