//! Before any change set: the stack's Availability Zone resolved (a zone ID becomes this
//! account's zone name), then what the cluster runs checked against it: every instance type
//! offered there, every capacity reservation in that zone, of the queue's kind and instance
//! type, and in a state that holds capacity. An error is exit 2 before any CloudFormation
//! request; a missing `ec2:Describe*` permission turns the checks it needs into warnings.
//!
//! The judgement is pure ([`judge_offerings`], [`judge_reservation`]); [`check`] makes the
//! EC2 calls and applies it.

use super::aws::Aws;
use super::zones::{self, Failed, Reservation, Zone, Zones};
use crate::error::Error;
use indexmap::IndexMap;
use stacks::{ClusterNeeds, ReservationUse};

/// One thing the checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The cluster can't run as configured: exit 2.
    Error(String),
    /// Worth knowing before deploying; nothing stops.
    Warning(String),
}

/// Said once where it matters: EC2 offering a type in a zone doesn't mean it has capacity.
pub const OFFERED_IS_NOT_FREE: &str = "offered means EC2 sells the type in that zone, not that it has free capacity now: without a capacity reservation or Capacity Block, launches can still fail with InsufficientInstanceCapacity";

/// Each instance type the cluster uses against the zones that offer it (`offered`: type ->
/// zone IDs, from [`zones::offerings`]): a type not offered in `zone` is an error naming its
/// fields and the zones (names and IDs) that do offer it.
pub fn judge_offerings(
    needs: &ClusterNeeds,
    zone: &Zone,
    zones: &Zones,
    offered: &IndexMap<String, Vec<String>>,
) -> Vec<Finding> {
    let mut by_type: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (field, t) in &needs.instance_types {
        by_type.entry(t.as_str()).or_default().push(field.as_str());
    }
    let mut out = Vec::new();
    for (t, fields) in by_type {
        let ids = offered.get(t).cloned().unwrap_or_default();
        if ids.contains(&zone.id) {
            continue;
        }
        let elsewhere = zones.labels_of(&ids);
        let where_else = if elsewhere.is_empty() {
            let hint = constructs::rules::pcluster::closest_instance_type(t)
                .map(|near| format!(" (did you mean {near}?)"))
                .unwrap_or_default();
            format!("no zone of {} offers it{hint}", zones.region)
        } else {
            format!(
                "zones of {} that offer it: {} (set network.availability_zone to one of them, by name or ID)",
                zones.region,
                elsewhere.join(", ")
            )
        };
        out.push(Finding::Error(format!(
            "{}: instance type {t} must be offered in the stack's zone {}, and it is not; {where_else}",
            fields.join(", "),
            zone.label()
        )));
    }
    out
}

/// A queue's capacity reservation as EC2 describes it (`None`: not found) against the queue
/// and the stack's zone.
pub fn judge_reservation(
    want: &ReservationUse,
    found: Option<&Reservation>,
    zone: &Zone,
    region: &str,
) -> Vec<Finding> {
    let (field, id) = (&want.field, &want.id);
    let Some(r) = found else {
        return vec![Finding::Error(format!(
            "{field}: capacity reservation {id} must exist in {region} for this account, and EC2 knows none by that ID (a reservation of another account must be shared with this one)"
        ))];
    };
    let mut out = Vec::new();
    let same_zone = if r.zone_id.is_empty() {
        r.zone_name == zone.name
    } else {
        r.zone_id == zone.id
    };
    if !same_zone {
        out.push(Finding::Error(format!(
            "{field}: capacity reservation {id} must use the same availability zone as subnet: it is in {} ({}), the stack's subnets are in {} (set network.availability_zone to {})",
            r.zone_name,
            r.zone_id,
            zone.label(),
            if r.zone_id.is_empty() { &r.zone_name } else { &r.zone_id }
        )));
    }
    match (want.capacity_type.as_str(), r.kind.as_str()) {
        ("CAPACITY_BLOCK", kind) if kind != "capacity-block" => out.push(Finding::Error(format!(
            "{field}: capacity reservation {id} must be a Capacity Block for capacity_type CAPACITY_BLOCK, and it is an On-Demand Capacity Reservation (type {kind}): use capacity_type ONDEMAND for it"
        ))),
        (capacity_type, "capacity-block") if capacity_type != "CAPACITY_BLOCK" => {
            out.push(Finding::Error(format!(
                "{field}: capacity reservation {id} is a Capacity Block, which only capacity_type CAPACITY_BLOCK launches into, got capacity_type {capacity_type}"
            )))
        }
        _ => {}
    }
    if !want.instance_types.contains(&r.instance_type) {
        out.push(Finding::Error(format!(
            "{field}: capacity reservation {id} must reserve the queue's instance type {}, and it reserves {}",
            want.instance_types.join(", "),
            r.instance_type
        )));
    }
    out.extend(judge_state(want, r));
    out
}

/// What the reservation's state means for the queue.
fn judge_state(want: &ReservationUse, r: &Reservation) -> Vec<Finding> {
    let (field, id, state) = (&want.field, &want.id, r.state.as_str());
    let start = if r.start.is_empty() {
        "its start date".to_string()
    } else {
        r.start.clone()
    };
    let gone = |why: &str| {
        vec![Finding::Error(format!(
            "{field}: capacity reservation {id} must hold capacity, and it is {state} ({why})"
        ))]
    };
    let later = |why: &str| {
        vec![Finding::Warning(format!(
            "{field}: capacity reservation {id} is {state} ({why}): instances launch into it from {start} at the earliest"
        ))]
    };
    match state {
        "active" if r.available < want.max_count => vec![Finding::Warning(format!(
            "{field}: capacity reservation {id} has {} of its {} instances free, and the queue launches up to {}",
            r.available, r.total, want.max_count
        ))],
        "active" => Vec::new(),
        "expired" => gone("it ended"),
        "cancelled" | "cancelling" => gone("it was cancelled"),
        "failed" => gone("EC2 could not provision it"),
        "payment-failed" => gone("the Capacity Block's payment failed and it was released"),
        "unsupported" => gone("EC2 did not accept the future-dated request"),
        "scheduled" => later("future-dated, not started yet"),
        "payment-pending" => later("the Capacity Block's payment is not processed yet"),
        "pending" => later("EC2 is still provisioning it"),
        "assessing" => later("EC2 is assessing the future-dated request"),
        "delayed" => later("EC2 is late provisioning it"),
        "unavailable" => later("EC2 reports its capacity unavailable now"),
        other => vec![Finding::Warning(format!(
            "{field}: capacity reservation {id} is in state {other:?}, which pcstack does not know: check it before launching"
        ))],
    }
}

/// What deploy sends, with every zone ID resolved to this account's zone name: the built-in
/// stack's zone fields ([`stacks::Configured::zones`]; the template is then built again from
/// the names, so it is the one the names give) and every value of a parameter of type
/// `AWS::EC2::AvailabilityZone::Name` (or a list of them). Zone names are checked to be zones
/// of the Region too. The Region's zones are fetched when there is an ID or `needed`; without
/// `ec2:DescribeAvailabilityZones` an ID is an error (nothing else can resolve it) and
/// otherwise `Ok(None)` after a warning.
pub async fn resolve(
    aws: &Aws,
    configured: Option<&mut stacks::Configured>,
    template: &mut plan::TemplateSource,
    parameters: &mut IndexMap<String, String>,
    needed: bool,
    warn: &dyn Fn(&str),
) -> Result<Option<Zones>, Error> {
    let is_id = constructs::rules::names::is_zone_id;
    let zone_params: Vec<String> = template
        .parameters()
        .iter()
        .filter(|(_, d)| {
            d.get("Type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.contains("AWS::EC2::AvailabilityZone::Name"))
        })
        .map(|(k, _)| k.clone())
        .collect();
    let mut configured = configured;
    let id_in_config = configured
        .as_mut()
        .is_some_and(|c| c.zones().iter().any(|z| is_id(z.value)));
    let id_in_params = zone_params.iter().any(|k| {
        parameters
            .get(k)
            .is_some_and(|v| v.split(',').any(|i| is_id(i.trim())))
    });
    if !(needed || id_in_config || id_in_params) {
        return Ok(None);
    }
    let zones = match Zones::fetch(aws).await {
        Ok(z) => z,
        Err(f) if f.denied && !(id_in_config || id_in_params) => {
            if let Finding::Warning(w) = skipped("the stack's zone and the cluster's placement", &f)
            {
                warn(&format!("warning: {w}"));
            }
            return Ok(None);
        }
        Err(f) => return Err(f.into()),
    };
    if let Some(c) = configured {
        let mut changed = false;
        for z in c.zones() {
            let name = zones.resolve(z.field, z.value)?.name.clone();
            changed |= *z.value != name;
            *z.value = name;
        }
        if changed {
            let built = c.build().map_err(Error::invalid)?;
            *template = plan::TemplateSource::parse(built.synthesized.render(synth::Format::Yaml))
                .map_err(|e| Error::usage(format!("stack {}: {e}", c.stack_name())))?;
        }
    }
    for key in &zone_params {
        if let Some(value) = parameters.get_mut(key) {
            let mut names = Vec::new();
            for item in value.split(',') {
                names.push(
                    zones
                        .resolve(&format!("parameter {key}"), item.trim())?
                        .name
                        .clone(),
                );
            }
            *value = names.join(",");
        }
    }
    Ok(Some(zones))
}

/// The zone the cluster runs in: the value deploy sends for the stack's zone parameter, else
/// (an update that keeps it) the deployed stack's (DescribeStacks); `None` when neither is
/// known (a create without one fails on the missing parameter anyway).
pub async fn stack_zone(
    aws: &Aws,
    stack_name: &str,
    parameters: &IndexMap<String, String>,
    zones: &Zones,
    needs: &ClusterNeeds,
) -> Result<Option<Zone>, Error> {
    let key = needs.zone_parameter.as_str();
    let name = match parameters.get(key) {
        Some(v) => Some(v.clone()),
        None => super::stack::describe(aws, stack_name)
            .await?
            .and_then(|s| {
                s.parameters()
                    .iter()
                    .find(|p| p.parameter_key() == Some(key))
                    .and_then(|p| p.parameter_value().map(str::to_string))
            }),
    };
    match name {
        Some(n) => zones
            .resolve(&format!("parameter {key}"), &n)
            .cloned()
            .map(Some),
        None => Ok(None),
    }
}

/// `cluster-config --stack-name`: the cluster checked in the deployed stack's zone
/// (`zone_name`, its `PRIMARY_AZ` output) before the configuration is written.
pub async fn check_in_zone(
    aws: &Aws,
    zone_name: &str,
    needs: &ClusterNeeds,
    warn: &dyn Fn(&str),
) -> Result<(), Error> {
    let zones = match Zones::fetch(aws).await {
        Ok(z) => z,
        Err(f) if f.denied => {
            if let Finding::Warning(w) = skipped("the cluster's placement", &f) {
                warn(&format!("warning: {w}"));
            }
            return Ok(());
        }
        Err(f) => return Err(f.into()),
    };
    let zone = zones.resolve("the stack's zone (output PRIMARY_AZ)", zone_name)?;
    warn(&format!("zone: {}", zone.label()));
    check(aws, &zones, zone, needs, warn).await
}

/// The permission a skipped check needed, as a warning.
fn skipped(what: &str, f: &Failed) -> Finding {
    Finding::Warning(format!(
        "{what} not checked: this identity may not call {} (allow it, e.g. with ec2:Describe*, to have pcstack check before deploying)",
        f.action
    ))
}

/// Runs the checks of `needs` in `zone` (EC2 calls, then [`judge_offerings`] and
/// [`judge_reservation`]): warnings go to `warn`; errors are exit 2, every one listed.
pub async fn check(
    aws: &Aws,
    zones: &Zones,
    zone: &Zone,
    needs: &ClusterNeeds,
    warn: &dyn Fn(&str),
) -> Result<(), Error> {
    let mut findings = Vec::new();
    let mut types: Vec<String> = Vec::new();
    for (_, t) in &needs.instance_types {
        if !types.contains(t) {
            types.push(t.clone());
        }
    }
    match zones::offerings(aws, &types).await {
        Ok(offered) => findings.extend(judge_offerings(needs, zone, zones, &offered)),
        Err(f) if f.denied => findings.push(skipped("instance type offerings", &f)),
        Err(f) => return Err(f.into()),
    }
    for want in &needs.reservations {
        match zones::reservation_by_id(aws, &want.id).await {
            Ok(found) => {
                findings.extend(judge_reservation(want, found.as_ref(), zone, &zones.region))
            }
            Err(f) if f.denied => {
                findings.push(skipped(&format!("{} ({})", want.field, want.id), &f))
            }
            Err(f) => return Err(f.into()),
        }
    }
    finish(findings, zone, needs, warn)
}

/// Warnings printed; errors refused together.
fn finish(
    findings: Vec<Finding>,
    zone: &Zone,
    needs: &ClusterNeeds,
    warn: &dyn Fn(&str),
) -> Result<(), Error> {
    let mut errors = Vec::new();
    for f in findings {
        match f {
            Finding::Warning(w) => warn(&format!("warning: {w}")),
            Finding::Error(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(Error::usage(format!(
            "the cluster can't run in the stack's zone {} as configured; nothing was changed or written:\n  {}",
            zone.label(),
            errors.join("\n  ")
        )));
    }
    let unreserved = needs.instance_types.len() > needs.reservations.len();
    if unreserved {
        warn(&format!("note: {OFFERED_IS_NOT_FREE}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, id: &str) -> Zone {
        Zone {
            name: name.into(),
            id: id.into(),
            kind: "availability-zone".into(),
            state: "available".into(),
        }
    }

    fn want(capacity_type: &str) -> ReservationUse {
        ReservationUse {
            field: "cluster.queues[0].capacity_reservation_id".into(),
            id: "cr-0123456789abcdef0".into(),
            capacity_type: capacity_type.into(),
            instance_types: vec!["p5.48xlarge".into()],
            max_count: 2,
        }
    }

    fn reservation(state: &str, kind: &str) -> Reservation {
        Reservation {
            id: "cr-0123456789abcdef0".into(),
            instance_type: "p5.48xlarge".into(),
            zone_name: "us-east-1c".into(),
            zone_id: "use1-az2".into(),
            state: state.into(),
            kind: kind.into(),
            total: 2,
            available: 2,
            start: "2026-12-24T11:30:00.000Z".into(),
            end: "2026-12-31T11:30:00.000Z".into(),
        }
    }

    fn kinds(findings: &[Finding]) -> Vec<&'static str> {
        findings
            .iter()
            .map(|f| match f {
                Finding::Error(_) => "error",
                Finding::Warning(_) => "warning",
            })
            .collect()
    }

    /// Every state EC2 documents for a reservation, for each kind of queue it fits.
    #[test]
    fn every_reservation_state() {
        let here = zone("us-east-1c", "use1-az2");
        let cases = [
            ("active", Vec::<&str>::new()),
            ("expired", vec!["error"]),
            ("cancelled", vec!["error"]),
            ("cancelling", vec!["error"]),
            ("failed", vec!["error"]),
            ("payment-failed", vec!["error"]),
            ("unsupported", vec!["error"]),
            ("scheduled", vec!["warning"]),
            ("payment-pending", vec!["warning"]),
            ("pending", vec!["warning"]),
            ("assessing", vec!["warning"]),
            ("delayed", vec!["warning"]),
            ("unavailable", vec!["warning"]),
            ("something-new", vec!["warning"]),
        ];
        for (queue, kind) in [
            ("ONDEMAND", "default"),
            ("CAPACITY_BLOCK", "capacity-block"),
        ] {
            for (state, expected) in &cases {
                let r = reservation(state, kind);
                let got = judge_reservation(&want(queue), Some(&r), &here, "us-east-1");
                assert_eq!(kinds(&got), *expected, "{queue} {state}: {got:?}");
            }
        }
        let r = reservation("scheduled", "capacity-block");
        let got = judge_reservation(&want("CAPACITY_BLOCK"), Some(&r), &here, "us-east-1");
        assert_eq!(
            got,
            [Finding::Warning("cluster.queues[0].capacity_reservation_id: capacity reservation cr-0123456789abcdef0 is scheduled (future-dated, not started yet): instances launch into it from 2026-12-24T11:30:00.000Z at the earliest".into())]
        );
        let r = reservation("expired", "default");
        let got = judge_reservation(&want("ONDEMAND"), Some(&r), &here, "us-east-1");
        assert_eq!(
            got,
            [Finding::Error("cluster.queues[0].capacity_reservation_id: capacity reservation cr-0123456789abcdef0 must hold capacity, and it is expired (it ended)".into())]
        );
    }

    #[test]
    fn zone_kind_type_and_count() {
        let here = zone("us-east-1a", "use1-az6");
        let r = reservation("active", "default");
        let got = judge_reservation(&want("ONDEMAND"), Some(&r), &here, "us-east-1");
        assert_eq!(
            got,
            [Finding::Error("cluster.queues[0].capacity_reservation_id: capacity reservation cr-0123456789abcdef0 must use the same availability zone as subnet: it is in us-east-1c (use1-az2), the stack's subnets are in us-east-1a (use1-az6) (set network.availability_zone to use1-az2)".into())]
        );
        let here = zone("us-east-1c", "use1-az2");
        let got = judge_reservation(&want("CAPACITY_BLOCK"), Some(&r), &here, "us-east-1");
        assert_eq!(
            got,
            [Finding::Error("cluster.queues[0].capacity_reservation_id: capacity reservation cr-0123456789abcdef0 must be a Capacity Block for capacity_type CAPACITY_BLOCK, and it is an On-Demand Capacity Reservation (type default): use capacity_type ONDEMAND for it".into())]
        );
        let block = reservation("active", "capacity-block");
        let got = judge_reservation(&want("ONDEMAND"), Some(&block), &here, "us-east-1");
        assert_eq!(kinds(&got), ["error"]);
        assert!(
            matches!(&got[0], Finding::Error(m) if m.contains("only capacity_type CAPACITY_BLOCK launches into, got capacity_type ONDEMAND"))
        );
        let mut other = reservation("active", "default");
        other.instance_type = "p4d.24xlarge".into();
        let got = judge_reservation(&want("ONDEMAND"), Some(&other), &here, "us-east-1");
        assert!(
            matches!(&got[..], [Finding::Error(m)] if m.ends_with("must reserve the queue's instance type p5.48xlarge, and it reserves p4d.24xlarge"))
        );
        let mut busy = reservation("active", "default");
        busy.available = 1;
        let got = judge_reservation(&want("ONDEMAND"), Some(&busy), &here, "us-east-1");
        assert!(
            matches!(&got[..], [Finding::Warning(m)] if m.ends_with("has 1 of its 2 instances free, and the queue launches up to 2"))
        );
        let got = judge_reservation(&want("ONDEMAND"), None, &here, "us-east-1");
        assert!(
            matches!(&got[..], [Finding::Error(m)] if m.contains("must exist in us-east-1 for this account"))
        );
    }

    #[test]
    fn types_not_offered_name_the_zones_that_offer_them() {
        let zones = Zones {
            region: "us-east-1".into(),
            zones: vec![
                zone("us-east-1a", "use1-az6"),
                zone("us-east-1c", "use1-az2"),
                zone("us-east-1e", "use1-az3"),
            ],
        };
        let needs = ClusterNeeds {
            instance_types: vec![
                (
                    "cluster.head_node.instance_type".into(),
                    "m5.8xlarge".into(),
                ),
                (
                    "cluster.queues[0].compute_resources[0].instance_type".into(),
                    "g5.8xlarge".into(),
                ),
                (
                    "cluster.queues[1].compute_resources[0].instance_type".into(),
                    "x9.nothing".into(),
                ),
                (
                    "cluster.queues[2].compute_resources[0].instance_type".into(),
                    "p5.48xlarg".into(),
                ),
            ],
            reservations: Vec::new(),
            zone_parameter: "PrimarySubnetAZ".into(),
        };
        let offered: IndexMap<String, Vec<String>> = [
            ("m5.8xlarge", vec!["use1-az3", "use1-az6"]),
            ("g5.8xlarge", vec!["use1-az6", "use1-az2"]),
        ]
        .into_iter()
        .map(|(t, z)| (t.to_string(), z.into_iter().map(String::from).collect()))
        .collect();
        let got = judge_offerings(&needs, &zones.zones[2], &zones, &offered);
        assert_eq!(
            got,
            [
                Finding::Error("cluster.queues[0].compute_resources[0].instance_type: instance type g5.8xlarge must be offered in the stack's zone us-east-1e (use1-az3), and it is not; zones of us-east-1 that offer it: us-east-1a (use1-az6), us-east-1c (use1-az2) (set network.availability_zone to one of them, by name or ID)".into()),
                Finding::Error("cluster.queues[1].compute_resources[0].instance_type: instance type x9.nothing must be offered in the stack's zone us-east-1e (use1-az3), and it is not; no zone of us-east-1 offers it".into()),
                Finding::Error("cluster.queues[2].compute_resources[0].instance_type: instance type p5.48xlarg must be offered in the stack's zone us-east-1e (use1-az3), and it is not; no zone of us-east-1 offers it (did you mean p5.48xlarge?)".into()),
            ]
        );
        assert!(judge_offerings(&needs, &zones.zones[0], &zones, &offered).len() == 2);
    }
}
