//! AWS ParallelCluster 3 cluster configuration rules, and the EC2 instance types with EFA.
//!
//! ParallelCluster's rules come from the `aws-parallelcluster` package pinned in
//! `requirements-pcluster.txt` (3.16.1): `pcluster/schemas/cluster_schema.py` (the schema),
//! `pcluster/validators/cluster_validators.py` (`NameValidator`, `ComputeResourceSizeValidator`,
//! `MaxCountValidator`) and `pcluster/constants.py`. Schema rules are checked again by the test
//! suite, which loads every generated configuration with that package's `ClusterSchema`.

use super::{either, RuleResult, Violation};

/// The diagnostic codes of the cluster configuration rules.
pub mod code {
    synth::codes! {
        CLUSTER_NAME = "PC171", "a cluster queue or compute resource name breaks ParallelCluster's naming rules";
        INSTANCE_TYPE = "PC172", "an instance type is not an EC2 instance type name such as g5.8xlarge";
        EFA_INSTANCE_TYPE = "PC173", "a compute instance type is not one of the EFA-capable types pcstack lists";
        COMPUTE_COUNT = "PC174", "a compute resource's MinCount or MaxCount is out of range";
        CAPACITY_TYPE = "PC175", "a queue's capacity type, capacity reservation and placement group do not fit together";
        CLUSTER_SHAPE = "PC176", "a cluster has too few or too many queues or compute resources, or repeats a name";
        ROOT_VOLUME_SIZE = "PC177", "a root volume size is outside what EBS and ParallelCluster allow";
        CLUSTER_OS = "PC178", "the cluster's operating system is not one ParallelCluster supports";
    }
}

/// Where the EFA instance type list comes from.
pub const EFA_SOURCE: &str =
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html#efa-instance-types";

/// EC2 instance types that support EFA (a subset: the GPU, accelerator, HPC and network
/// optimized sizes a training cluster uses), and whether each supports GPUDirect RDMA.
///
/// Source: [`EFA_SOURCE`], "Supported instance types" (GPUDirect RDMA: the NVIDIA GPU types
/// listed with RDMA read/write support). A type missing here is refused with the source named;
/// add it, with its row of that page, when AWS lists it.
pub const EFA_INSTANCE_TYPES: &[(&str, bool)] = &[
    // Accelerated computing, NVIDIA GPUs with GPUDirect RDMA.
    ("p4d.24xlarge", true),
    ("p4de.24xlarge", true),
    ("p5.48xlarge", true),
    ("p5e.48xlarge", true),
    ("p5en.48xlarge", true),
    ("p6-b200.48xlarge", true),
    // Accelerated computing, NVIDIA GPUs with EFA but without GPUDirect RDMA.
    ("p3dn.24xlarge", false),
    ("g4dn.8xlarge", false),
    ("g4dn.12xlarge", false),
    ("g4dn.16xlarge", false),
    ("g4dn.metal", false),
    ("g5.8xlarge", false),
    ("g5.12xlarge", false),
    ("g5.16xlarge", false),
    ("g5.24xlarge", false),
    ("g5.48xlarge", false),
    ("g6.8xlarge", false),
    ("g6.12xlarge", false),
    ("g6.16xlarge", false),
    ("g6.24xlarge", false),
    ("g6.48xlarge", false),
    ("g6e.8xlarge", false),
    ("g6e.12xlarge", false),
    ("g6e.16xlarge", false),
    ("g6e.24xlarge", false),
    ("g6e.48xlarge", false),
    // Accelerated computing, AWS Trainium and Inferentia (no NVIDIA GPU).
    ("trn1.32xlarge", false),
    ("trn1n.32xlarge", false),
    ("trn2.48xlarge", false),
    ("inf2.48xlarge", false),
    // High performance computing.
    ("hpc6a.48xlarge", false),
    ("hpc6id.32xlarge", false),
    ("hpc7a.12xlarge", false),
    ("hpc7a.24xlarge", false),
    ("hpc7a.48xlarge", false),
    ("hpc7a.96xlarge", false),
    ("hpc7g.4xlarge", false),
    ("hpc7g.8xlarge", false),
    ("hpc7g.16xlarge", false),
    // Compute and network optimized.
    ("c5n.9xlarge", false),
    ("c5n.18xlarge", false),
    ("c5n.metal", false),
    ("c6gn.16xlarge", false),
    ("c6i.32xlarge", false),
    ("c6in.32xlarge", false),
    ("c7gn.16xlarge", false),
    ("m5n.24xlarge", false),
    ("m5dn.24xlarge", false),
    ("r5n.24xlarge", false),
];

/// Whether `instance_type` supports GPUDirect RDMA over EFA ([`EFA_INSTANCE_TYPES`]).
pub fn gdr_supported(instance_type: &str) -> bool {
    EFA_INSTANCE_TYPES
        .iter()
        .any(|(t, gdr)| *t == instance_type && *gdr)
}

/// Queue and compute resource names: `^[a-z][a-z0-9-]*$`, at most 25 characters, not `default`.
///
/// Source: aws-parallelcluster `NameValidator` (`NAME_REGEX`, `NAME_MAX_LENGTH`).
pub fn name(field: &str, value: &str) -> RuleResult {
    let mut chars = value.chars();
    let pattern = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let rule = if !pattern {
        "match ^[a-z][a-z0-9-]*$ (a lowercase letter, then lowercase letters, digits and hyphens)"
    } else if value.len() > 25 {
        "be at most 25 characters"
    } else if value == "default" {
        "not be \"default\""
    } else {
        return Ok(());
    };
    Err(Violation::new(
        code::CLUSTER_NAME,
        field,
        rule,
        "ParallelCluster",
        format!("{value:?}"),
    ))
}

/// An EC2 instance type name: family, a dot, size (`g5.8xlarge`, `p6-b200.48xlarge`).
///
/// Source: EC2 instance type naming,
/// <https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html>.
pub fn instance_type(field: &str, value: &str) -> RuleResult {
    let ok = value.split_once('.').is_some_and(|(family, size)| {
        family
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && family
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !size.is_empty()
            && size
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }) && value.len() <= 64;
    if ok {
        return Ok(());
    }
    // The same name in lowercase, without the spaces around it, when that is a name.
    let normal = value.trim().to_ascii_lowercase();
    let rule = if normal != value && instance_type(field, &normal).is_ok() {
        format!("be an instance type name (did you mean {normal}?)")
    } else {
        "be an instance type name such as g5.8xlarge".to_string()
    };
    Err(Violation::new(
        code::INSTANCE_TYPE,
        field,
        &rule,
        "EC2",
        format!("{value:?}"),
    ))
}

/// The listed instance type ([`EFA_INSTANCE_TYPES`]) closest to `value`, when it is a plausible
/// typo of it (at most 2 edits, [`super::names::closest`]). Only types of the same instance
/// class (the first letter) are suggested: `m5.8xlarge` is another machine, not a typo of
/// `g5.8xlarge`.
pub fn closest_instance_type(value: &str) -> Option<&'static str> {
    let class = value.trim().chars().next().map(|c| c.to_ascii_lowercase());
    let same_class = EFA_INSTANCE_TYPES
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| t.chars().next() == class);
    super::names::closest(value, same_class, 2)
}

/// A compute instance type is EFA-capable: the queues enable EFA on every compute resource.
///
/// Source: [`EFA_INSTANCE_TYPES`] ([`EFA_SOURCE`]).
/// A near miss (`p5.48xlage`) names the closest listed type ([`closest_instance_type`]), as
/// [`super::names::region`] does for Regions.
pub fn efa_instance_type(field: &str, value: &str) -> RuleResult {
    if EFA_INSTANCE_TYPES.iter().any(|(t, _)| *t == value) {
        return Ok(());
    }
    let rule = match closest_instance_type(value) {
        Some(near) => {
            format!("be an EFA-capable instance type listed at {EFA_SOURCE} (did you mean {near}?)")
        }
        None => format!("be an EFA-capable instance type listed at {EFA_SOURCE}"),
    };
    Err(Violation::new(
        code::EFA_INSTANCE_TYPE,
        field,
        &rule,
        "an EFA-enabled compute resource",
        format!("{value:?}"),
    ))
}

/// ParallelCluster's capacity types.
///
/// Source: aws-parallelcluster `CapacityType` (`pcluster/config/common.py`).
pub const CAPACITY_TYPES: [&str; 3] = ["ONDEMAND", "SPOT", "CAPACITY_BLOCK"];

/// The capacity type is one ParallelCluster knows.
///
/// Source: [`CAPACITY_TYPES`].
pub fn capacity_type(field: &str, value: &str) -> RuleResult {
    if CAPACITY_TYPES.contains(&value) {
        Ok(())
    } else {
        Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            &format!("be {}", either(&CAPACITY_TYPES)),
            "a ParallelCluster queue",
            format!("{value:?}"),
        ))
    }
}

/// MinCount and MaxCount: MinCount at least 0, MaxCount at least 1 and at least MinCount; with
/// CAPACITY_BLOCK, MinCount equals MaxCount and is above 0 (the block's instances are all static).
///
/// Source: aws-parallelcluster `SlurmComputeResourceSchema` (`Range(min=1)`, `Range(min=0)`)
/// and `ComputeResourceSizeValidator`.
pub fn compute_counts(
    prefix: &str,
    min_count: i64,
    max_count: i64,
    capacity_type: &str,
) -> Vec<(String, Violation)> {
    let mut found = Vec::new();
    let min_field = format!("{prefix}.min_count");
    let max_field = format!("{prefix}.max_count");
    let mut broken = |field: &str, rule: &str, context: &str, got: i64| {
        found.push((
            field.to_string(),
            Violation::new(code::COMPUTE_COUNT, field, rule, context, got),
        ));
    };
    if min_count < 0 {
        broken(&min_field, "be at least 0", "ParallelCluster", min_count);
    }
    if max_count < 1 {
        broken(&max_field, "be at least 1", "ParallelCluster", max_count);
    } else if max_count < min_count {
        broken(
            &max_field,
            &format!("be at least min_count ({min_count})"),
            "ParallelCluster",
            max_count,
        );
    }
    if capacity_type == "CAPACITY_BLOCK" {
        if min_count == 0 {
            broken(
                &min_field,
                "be above 0",
                "a CAPACITY_BLOCK queue",
                min_count,
            );
        }
        if min_count != max_count && max_count >= min_count {
            broken(
                &max_field,
                &format!("equal min_count ({min_count})"),
                "a CAPACITY_BLOCK queue",
                max_count,
            );
        }
    }
    found
}

/// A capacity reservation ID: `cr-` and 17 hexadecimal digits.
///
/// Source: EC2 `CapacityReservationId`,
/// <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CapacityReservation.html>.
pub fn capacity_reservation_id(field: &str, value: &str) -> RuleResult {
    let ok = value.strip_prefix("cr-").is_some_and(|hex| {
        hex.len() == 17
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    });
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            "be cr- and 17 hexadecimal digits",
            "an EC2 capacity reservation",
            format!("{value:?}"),
        ))
    }
}

/// CAPACITY_BLOCK needs a reservation ID; SPOT takes none (a reservation is On-Demand capacity).
///
/// Source: aws-parallelcluster `CapacityTypeValidator` and `CapacityReservationValidator`;
/// <https://docs.aws.amazon.com/parallelcluster/latest/ug/launch-instances-capacity-blocks.html>.
pub fn capacity_reservation(field: &str, capacity_type: &str, id: Option<&str>) -> RuleResult {
    match (capacity_type, id) {
        ("CAPACITY_BLOCK", None) => Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            "be set (the capacity block's reservation ID)",
            "a CAPACITY_BLOCK queue",
            "nothing",
        )),
        ("SPOT", Some(id)) => Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            "be unset",
            "a SPOT queue (reservations hold On-Demand capacity)",
            format!("{id:?}"),
        )),
        _ => Ok(()),
    }
}

/// A capacity block brings its own placement, so its queue has no placement group.
///
/// Source: aws-parallelcluster `EfaPlacementGroupValidator` (skips CAPACITY_BLOCK);
/// <https://docs.aws.amazon.com/parallelcluster/latest/ug/launch-instances-capacity-blocks.html>.
pub fn placement_group(field: &str, capacity_type: &str, enabled: Option<bool>) -> RuleResult {
    if capacity_type == "CAPACITY_BLOCK" && enabled == Some(true) {
        Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            "be false or unset",
            "a CAPACITY_BLOCK queue",
            "true",
        ))
    } else {
        Ok(())
    }
}

/// A queue spanning both private subnets (two Availability Zones) runs without a placement
/// group, without EFA and without a capacity reservation: each lies in one zone.
///
/// Source: aws-parallelcluster `MultiAzPlacementGroupValidator` ("PlacementGroups are not
/// supported across Availability zones") and `EfaMultiAzValidator` ("EFA is not supported
/// across Availability zones"), `pcluster/validators/{networking,cluster}_validators.py`; a
/// capacity reservation or block is for one zone
/// (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-capacity-reservations.html>).
/// pcstack turns EFA off itself on such a queue, so the rule checks the rest.
pub fn spanning_queue(
    field: &str,
    placement_group: Option<bool>,
    capacity_type: &str,
    reservation: Option<&str>,
) -> RuleResult {
    let fail = |what: &str, got: String| {
        Err(Violation::new(
            code::CAPACITY_TYPE,
            field,
            &format!(
                "not {what} (ParallelCluster runs a queue across Availability Zones without one)"
            ),
            "a queue with span_zones: true",
            got,
        ))
    };
    if placement_group == Some(true) {
        return fail("enable a placement group", "placement_group: true".into());
    }
    if capacity_type == "CAPACITY_BLOCK" {
        return fail("use a capacity block", "CAPACITY_BLOCK".into());
    }
    if let Some(id) = reservation {
        return fail("use a capacity reservation", format!("{id:?}"));
    }
    Ok(())
}

/// How many of something a cluster holds: queues 1 to 50, compute resources 1 to 50 per queue
/// and at most 50 in the cluster.
///
/// Source: aws-parallelcluster `MAX_NUMBER_OF_QUEUES`, `MAX_COMPUTE_RESOURCES_PER_QUEUE`,
/// `MAX_NUMBER_OF_COMPUTE_RESOURCES_PER_CLUSTER` (`pcluster/constants.py`).
pub fn count(field: &str, what: &str, n: usize, max: usize) -> RuleResult {
    if (1..=max).contains(&n) {
        Ok(())
    } else {
        Err(Violation::new(
            code::CLUSTER_SHAPE,
            field,
            &format!("hold 1 to {max} {what}"),
            "ParallelCluster",
            n,
        ))
    }
}

/// Names that must differ (queues in a cluster, compute resources in a queue).
///
/// Source: aws-parallelcluster `DuplicateNameValidator`.
pub fn unique_name(field: &str, value: &str, earlier: &str) -> Violation {
    Violation::new(
        code::CLUSTER_SHAPE,
        field,
        &format!("differ from {earlier}"),
        "ParallelCluster",
        format!("{value:?}"),
    )
}

/// A root volume size, GiB: 45 to 16384. No size below the AMI's volume works
/// (`RootVolumeSizeValidator`); 45 GiB is ParallelCluster's own default root volume
/// (`EBS_ROOT_VOLUME_SIZE_DEFAULT`), the least its AMIs are known to fit in.
///
/// Source: aws-parallelcluster `pcluster/constants.py` and
/// <https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html> (gp3 up to 16 TiB).
pub fn root_volume_size(field: &str, size: i64) -> RuleResult {
    if (45..=16384).contains(&size) {
        Ok(())
    } else {
        Err(Violation::new(
            code::ROOT_VOLUME_SIZE,
            field,
            "be 45 to 16384 GiB",
            "a ParallelCluster root volume",
            size,
        ))
    }
}

/// The operating systems ParallelCluster 3.16 supports.
///
/// Source: aws-parallelcluster `SUPPORTED_OSES` (`pcluster/constants.py`).
pub const OPERATING_SYSTEMS: [&str; 7] = [
    "alinux2023",
    "ubuntu2204",
    "ubuntu2404",
    "rhel8",
    "rocky8",
    "rhel9",
    "rocky9",
];

/// The cluster's operating system is one ParallelCluster supports.
///
/// Source: [`OPERATING_SYSTEMS`].
pub fn os(field: &str, value: &str) -> RuleResult {
    if OPERATING_SYSTEMS.contains(&value) {
        Ok(())
    } else {
        Err(Violation::new(
            code::CLUSTER_OS,
            field,
            &format!("be {}", either(&OPERATING_SYSTEMS)),
            "ParallelCluster 3",
            format!("{value:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanning_queues() {
        assert!(spanning_queue("q", None, "ONDEMAND", None).is_ok());
        assert!(spanning_queue("q", Some(false), "SPOT", None).is_ok());
        assert_eq!(
            spanning_queue("q", Some(true), "ONDEMAND", None).unwrap_err().message,
            "q must not enable a placement group (ParallelCluster runs a queue across Availability Zones without one) for a queue with span_zones: true, got placement_group: true"
        );
        assert_eq!(
            spanning_queue("q", None, "CAPACITY_BLOCK", Some("cr-1")).unwrap_err().message,
            "q must not use a capacity block (ParallelCluster runs a queue across Availability Zones without one) for a queue with span_zones: true, got CAPACITY_BLOCK"
        );
        assert_eq!(
            spanning_queue("q", None, "ONDEMAND", Some("cr-1")).unwrap_err().message,
            "q must not use a capacity reservation (ParallelCluster runs a queue across Availability Zones without one) for a queue with span_zones: true, got \"cr-1\""
        );
    }

    fn message(r: RuleResult) -> String {
        r.err().map(|v| v.message).unwrap_or_default()
    }

    #[test]
    fn names() {
        assert!(name("q", "compute-gpu").is_ok());
        assert_eq!(
            message(name("cluster.queues[0].name", "Compute_GPU")),
            "cluster.queues[0].name must match ^[a-z][a-z0-9-]*$ (a lowercase letter, then lowercase letters, digits and hyphens) for ParallelCluster, got \"Compute_GPU\""
        );
        assert!(message(name("q", &"a".repeat(26))).contains("be at most 25 characters"));
        assert!(name("q", &"a".repeat(25)).is_ok());
        assert!(message(name("q", "default")).contains("not be \"default\""));
        assert!(message(name("q", "1gpu")).contains("must match"));
        assert!(message(name("q", "")).contains("must match"));
    }

    #[test]
    fn instance_types_and_efa() {
        for ok in ["g5.8xlarge", "p6-b200.48xlarge", "c5n.metal"] {
            assert!(instance_type("t", ok).is_ok(), "{ok}");
        }
        for bad in ["g5", ".8xlarge", "G5.8xlarge", "g5.", "g5 .8xlarge"] {
            assert!(instance_type("t", bad).is_err(), "{bad}");
        }
        assert!(efa_instance_type("t", "g5.8xlarge").is_ok());
        let m = message(efa_instance_type(
            "cluster.queues[0].compute_resources[0].instance_type",
            "g5.xlarge",
        ));
        assert_eq!(m, format!("cluster.queues[0].compute_resources[0].instance_type must be an EFA-capable instance type listed at {EFA_SOURCE} (did you mean g5.8xlarge?) for an EFA-enabled compute resource, got \"g5.xlarge\""));
        // A typo names the listed type it is closest to; a type far from all of them doesn't.
        let m = message(efa_instance_type("t", "p5.48xlage"));
        assert!(m.contains("(did you mean p5.48xlarge?)"), "{m}");
        for other in ["m7i.large", "m5.8xlarge", "o5.48xlarge"] {
            let m = message(efa_instance_type("t", other));
            assert!(!m.contains("did you mean"), "{m}");
        }
        let m = message(efa_instance_type("t", &"p".repeat(5000)));
        assert!(!m.contains("did you mean"), "{m}");
        // A name in capitals: its lowercase form.
        assert_eq!(
            message(instance_type("cluster.head_node.instance_type", "M5.8xlarge")),
            "cluster.head_node.instance_type must be an instance type name (did you mean m5.8xlarge?) for EC2, got \"M5.8xlarge\""
        );
        assert!(!message(instance_type("t", "g5")).contains("did you mean"));
        assert!(gdr_supported("p5.48xlarge"));
        assert!(!gdr_supported("g5.48xlarge"));
        assert!(!gdr_supported("m5.8xlarge"));
        // Every listed type is a well-formed name, listed once.
        let mut seen = std::collections::HashSet::new();
        for (t, _) in EFA_INSTANCE_TYPES {
            assert!(instance_type("t", t).is_ok(), "{t}");
            assert!(seen.insert(t), "{t} listed twice");
        }
    }

    #[test]
    fn counts() {
        assert!(compute_counts("c", 0, 4, "ONDEMAND").is_empty());
        assert!(compute_counts("c", 2, 2, "CAPACITY_BLOCK").is_empty());
        let m: Vec<String> = compute_counts("c", 3, 2, "ONDEMAND")
            .into_iter()
            .map(|(f, v)| format!("{f}: {}", v.message))
            .collect();
        assert_eq!(
            m,
            ["c.max_count: c.max_count must be at least min_count (3) for ParallelCluster, got 2"]
        );
        let m = compute_counts("c", -1, 0, "ONDEMAND");
        assert_eq!(m.len(), 2);
        let m: Vec<String> = compute_counts("c", 0, 2, "CAPACITY_BLOCK")
            .into_iter()
            .map(|(_, v)| v.message)
            .collect();
        assert_eq!(
            m,
            [
                "c.min_count must be above 0 for a CAPACITY_BLOCK queue, got 0",
                "c.max_count must equal min_count (0) for a CAPACITY_BLOCK queue, got 2"
            ]
        );
    }

    #[test]
    fn capacity() {
        assert!(capacity_type("c", "CAPACITY_BLOCK").is_ok());
        assert_eq!(
            message(capacity_type("c", "ON_DEMAND")),
            "c must be ONDEMAND, SPOT or CAPACITY_BLOCK for a ParallelCluster queue, got \"ON_DEMAND\""
        );
        assert!(capacity_reservation_id("r", "cr-0123456789abcdef0").is_ok());
        assert!(capacity_reservation_id("r", "cr-0123456789ABCDEF0").is_err());
        assert!(capacity_reservation_id("r", "cr-123").is_err());
        assert_eq!(
            message(capacity_reservation("r", "CAPACITY_BLOCK", None)),
            "r must be set (the capacity block's reservation ID) for a CAPACITY_BLOCK queue, got nothing"
        );
        assert!(capacity_reservation("r", "ONDEMAND", Some("cr-x")).is_ok());
        assert!(capacity_reservation("r", "SPOT", Some("cr-x")).is_err());
        assert_eq!(
            message(placement_group("p", "CAPACITY_BLOCK", Some(true))),
            "p must be false or unset for a CAPACITY_BLOCK queue, got true"
        );
        assert!(placement_group("p", "CAPACITY_BLOCK", None).is_ok());
        assert!(placement_group("p", "ONDEMAND", Some(true)).is_ok());
    }

    #[test]
    fn shape_volumes_and_os() {
        assert!(count("q", "queues", 1, 50).is_ok());
        assert_eq!(
            message(count("cluster.queues", "queues", 0, 50)),
            "cluster.queues must hold 1 to 50 queues for ParallelCluster, got 0"
        );
        assert!(count("q", "queues", 51, 50).is_err());
        assert!(root_volume_size("r", 45).is_ok());
        assert_eq!(
            message(root_volume_size("cluster.head_node.root_volume_size", 44)),
            "cluster.head_node.root_volume_size must be 45 to 16384 GiB for a ParallelCluster root volume, got 44"
        );
        assert!(root_volume_size("r", 16385).is_err());
        assert!(os("o", "ubuntu2204").is_ok());
        assert!(message(os("o", "centos7")).contains("be alinux2023, ubuntu2204"));
    }
}
