//! `pcstack init`: a commented starter config whose values are the built-in defaults.

/// The starter file. A test checks that it parses to `Config::default()`.
pub const STARTER: &str = r#"# pcstack config for the parallelcluster-prerequisites stack.
# Every field is optional; the values below are the built-in defaults (the tutorial's setup).
# `pcstack schema` prints the full JSON Schema. Unknown fields are errors.

# Region you deploy to; when set, network.availability_zone must be in it.
# region: us-east-1

# Tags added to every resource that takes tags.
tags: {}

network:
  vpc_name: AWS ParallelCluster      # default of the VPCName parameter
  primary_cidr: 10.0.0.0/16          # public subnet = its first /17
  secondary_cidr: 10.1.0.0/16        # private subnet = its first /17
  availability_zone: null            # default of PrimarySubnetAZ, e.g. us-east-1a
  create_s3_endpoint: true

lustre:                              # FSx for Lustre PERSISTENT_1 SSD, mounted at mount_point
  capacity: 2400                     # GiB: 1200, 2400 or a multiple of 2400
  max_capacity: 100800               # largest value the Capacity parameter offers
  per_unit_storage_throughput: 200   # MB/s/TiB: 50, 100 or 200
  compression: LZ4                   # LZ4 or NONE
  version: "2.15"                    # 2.15 or 2.12 (associations need 2.12+)
  mount_point: /lustre
  removal: Retain                    # Retain or Delete (throwaway environments only)

openzfs:                             # FSx for OpenZFS SINGLE_AZ_HA_2
  capacity: 512                      # GiB: 64 to 524288
  throughput: 320                    # MB/s: 160, 320, 640, 1280, 2560, 3840, 5120, 7680, 10240
  removal: Retain

bucket:
  name: parallelcluster-${AWS::AccountId}-${AWS::Region}
  removal: Retain

logs:                                # S3 access logs of the bucket and VPC flow logs
  bucket_name: parallelcluster-logs-${AWS::AccountId}-${AWS::Region}
  retention_days: 90
  removal: Retain

repository:
  name: pytorch-training-custom
  removal: Retain

# Data repository associations: Lustre path <-> s3://<bucket>/<s3_prefix>.
# At most 8; paths and prefixes must not nest. Events: NEW, CHANGED, DELETED.
associations:
  - id: DataAssociation
    file_system_path: /data
    s3_prefix: data/
    import: [NEW, CHANGED, DELETED]
    batch_import_on_create: true
    output: LustreDataDir
    env: LUSTRE_DATA_DIR
  - id: CheckpointsAssociation
    file_system_path: /checkpoints
    s3_prefix: checkpoints/
    import: [NEW, CHANGED, DELETED]
    export: [NEW, CHANGED, DELETED]
    output: LustreCheckpointDir
    env: LUSTRE_CHECKPOINT_DIR
  - id: LogsAssociation
    file_system_path: /logs
    s3_prefix: logs/
    export: [NEW, CHANGED, DELETED]
    output: LustreLogDir
    env: LUSTRE_LOG_DIR
  - id: ResultsAssociation
    file_system_path: /results
    s3_prefix: results/
    export: [NEW, CHANGED, DELETED]
    output: LustreResultsDir
    env: LUSTRE_RESULTS_DIR

# Parameter values `pcstack deploy --config` passes; --parameter and --parameters-file win.
parameters: {}
#   PrimarySubnetAZ: us-east-1a
"#;

/// Writes the starter file; refuses to overwrite unless `force`.
pub fn write(path: &std::path::Path, force: bool) -> Result<(), super::Failure> {
    let exists = || {
        super::Failure::Other(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))
    };
    if force {
        return super::write_atomic(path, STARTER.as_bytes()).map_err(|e| {
            super::Failure::Other(format!("could not write {}: {e}", path.display()))
        });
    }
    // create_new: no window between "does it exist" and the write.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => super::Failure::Other(format!("could not write {}: {e}", path.display())),
        })?;
    std::io::Write::write_all(&mut file, STARTER.as_bytes())
        .map_err(|e| super::Failure::Other(format!("could not write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacks::Config;

    #[test]
    fn starter_is_the_default() {
        let parsed = Config::from_yaml(STARTER, "starter").unwrap();
        assert_eq!(parsed, Config::default());
    }
}
