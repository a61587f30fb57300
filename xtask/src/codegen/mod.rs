//! `codegen`: writes `constructs/src/l1/` from the CloudFormation registry schemas that
//! ship in the cfn-lint Python package (version pinned in `requirements.txt`).
//!
//! Pipeline: locate the schemas ([`Schemas`]) -> one [`model::Resource`] per type in
//! [`TYPES`] -> Rust text ([`emit`]) -> rustfmt -> compare or write.

mod emit;
mod model;
pub mod table;
#[cfg(test)]
mod tests;
pub mod values;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The resource types to generate. Adding a type is adding its name here.
pub const TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::FlowLog",
    "AWS::FSx::FileSystem",
    "AWS::FSx::DataRepositoryAssociation",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::ECR::Repository",
];

/// Types whose replacement or removal loses data, each with what it holds. The schemas don't
/// say this; it is pcstack's own judgement, and it drives the danger block of `diff` and
/// `deploy`. Each entry is emitted as `HOLDS_DATA` on the type.
pub const HOLDS_DATA: &[(&str, &str)] = &[
    ("AWS::FSx::FileSystem", "the file system's files"),
    (
        "AWS::FSx::DataRepositoryAssociation",
        "the link between a Lustre path and its S3 prefix, with its import/export settings",
    ),
    ("AWS::S3::Bucket", "the bucket's objects"),
    ("AWS::ECR::Repository", "the repository's images"),
];

/// A fact the CloudFormation docs state that the schema leaves out.
pub struct Extra {
    pub type_name: &'static str,
    pub path: &'static str,
    pub source: &'static str,
}

const FSX_LUSTRE: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-lustreconfiguration.html (DeploymentType: \"Update requires: Replacement\")";
const FSX_LUSTRE_EFA: &str = "https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html (EFA \"must be set at creation\" and cannot be changed; the CloudFormation Resource Specification marks EfaEnabled Immutable)";
const FSX_OPENZFS: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-openzfsconfiguration.html (\"Update requires: Replacement\")";

/// Create-only properties (changing one replaces the resource) missing from
/// `createOnlyProperties`.
pub const EXTRA_CREATE_ONLY: &[Extra] = &[
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-lustreconfiguration.html
    Extra {
        type_name: "AWS::FSx::FileSystem",
        path: "LustreConfiguration/DeploymentType",
        source: FSX_LUSTRE,
    },
    // Source: https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html
    Extra {
        type_name: "AWS::FSx::FileSystem",
        path: "LustreConfiguration/EfaEnabled",
        source: FSX_LUSTRE_EFA,
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-openzfsconfiguration.html
    Extra {
        type_name: "AWS::FSx::FileSystem",
        path: "OpenZFSConfiguration/DeploymentType",
        source: FSX_OPENZFS,
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-openzfsconfiguration.html
    Extra {
        type_name: "AWS::FSx::FileSystem",
        path: "OpenZFSConfiguration/RootVolumeConfiguration",
        source: FSX_OPENZFS,
    },
];

const VPC_RETURN_VALUES: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpc.html#aws-resource-ec2-vpc-return-values";
const SUBNET_RETURN_VALUES: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnet.html#aws-resource-ec2-subnet-return-values";
const SG_RETURN_VALUES: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html#aws-resource-ec2-securitygroup-return-values";

/// `Fn::GetAtt` attributes the docs list under "Return values" that are not in
/// `readOnlyProperties` (they are writable properties CloudFormation also returns).
/// cfn-lint accepts them too: these types are in `_all_property_types` of
/// `cfnlint/schema/_getatts.py`. `Fn::GetAtt [Vpc, CidrBlock]` is the documented way to feed
/// `Fn::Cidr` (intrinsic-function-reference-cidr.html).
pub const EXTRA_ATTRIBUTES: &[Extra] = &[
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpc.html#aws-resource-ec2-vpc-return-values
    Extra {
        type_name: "AWS::EC2::VPC",
        path: "CidrBlock",
        source: VPC_RETURN_VALUES,
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnet.html#aws-resource-ec2-subnet-return-values
    Extra {
        type_name: "AWS::EC2::Subnet",
        path: "AvailabilityZone",
        source: SUBNET_RETURN_VALUES,
    },
    Extra {
        type_name: "AWS::EC2::Subnet",
        path: "AvailabilityZoneId",
        source: SUBNET_RETURN_VALUES,
    },
    Extra {
        type_name: "AWS::EC2::Subnet",
        path: "CidrBlock",
        source: SUBNET_RETURN_VALUES,
    },
    Extra {
        type_name: "AWS::EC2::Subnet",
        path: "OutpostArn",
        source: SUBNET_RETURN_VALUES,
    },
    Extra {
        type_name: "AWS::EC2::Subnet",
        path: "VpcId",
        source: SUBNET_RETURN_VALUES,
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html#aws-resource-ec2-securitygroup-return-values
    Extra {
        type_name: "AWS::EC2::SecurityGroup",
        path: "VpcId",
        source: SG_RETURN_VALUES,
    },
];

/// A reference the CloudFormation docs state that the schema leaves out: the property at
/// `path` (`/`-separated, `*` for list items) holds the `property` of a `target` resource.
pub struct ExtraRef {
    pub type_name: &'static str,
    pub path: &'static str,
    pub target: &'static str,
    pub property: &'static str,
    pub source: &'static str,
}

/// References the schemas state neither with `relationshipRef` nor with cfn-lint's `format`
/// keyword. Used only where the schema names no target, so an entry goes quiet once the
/// schema catches up. Left out on purpose: `AWS::EC2::Route.GatewayId` (an internet or a
/// virtual private gateway) and `AWS::EC2::FlowLog.ResourceId` (its kind follows
/// `ResourceType`): one Rust type can't say either.
pub const EXTRA_REFERENCES: &[ExtraRef] = &[
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpcgatewayattachment.html#cfn-ec2-vpcgatewayattachment-internetgatewayid
    ExtraRef {
        type_name: "AWS::EC2::VPCGatewayAttachment",
        path: "InternetGatewayId",
        target: "AWS::EC2::InternetGateway",
        property: "InternetGatewayId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpcgatewayattachment.html#cfn-ec2-vpcgatewayattachment-internetgatewayid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-natgateway.html#cfn-ec2-natgateway-allocationid
    ExtraRef {
        type_name: "AWS::EC2::NatGateway",
        path: "AllocationId",
        target: "AWS::EC2::EIP",
        property: "AllocationId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-natgateway.html#cfn-ec2-natgateway-allocationid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-route.html#cfn-ec2-route-routetableid
    ExtraRef {
        type_name: "AWS::EC2::Route",
        path: "RouteTableId",
        target: "AWS::EC2::RouteTable",
        property: "RouteTableId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-route.html#cfn-ec2-route-routetableid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-route.html#cfn-ec2-route-natgatewayid
    ExtraRef {
        type_name: "AWS::EC2::Route",
        path: "NatGatewayId",
        target: "AWS::EC2::NatGateway",
        property: "NatGatewayId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-route.html#cfn-ec2-route-natgatewayid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnetroutetableassociation.html#cfn-ec2-subnetroutetableassociation-routetableid
    ExtraRef {
        type_name: "AWS::EC2::SubnetRouteTableAssociation",
        path: "RouteTableId",
        target: "AWS::EC2::RouteTable",
        property: "RouteTableId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnetroutetableassociation.html#cfn-ec2-subnetroutetableassociation-routetableid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fsx-filesystem.html#cfn-fsx-filesystem-subnetids
    ExtraRef {
        type_name: "AWS::FSx::FileSystem",
        path: "SubnetIds/*",
        target: "AWS::EC2::Subnet",
        property: "SubnetId",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fsx-filesystem.html#cfn-fsx-filesystem-subnetids",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fsx-datarepositoryassociation.html#cfn-fsx-datarepositoryassociation-filesystemid
    ExtraRef {
        type_name: "AWS::FSx::DataRepositoryAssociation",
        path: "FileSystemId",
        target: "AWS::FSx::FileSystem",
        property: "Id",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fsx-datarepositoryassociation.html#cfn-fsx-datarepositoryassociation-filesystemid",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-loggingconfiguration.html#cfn-s3-bucket-loggingconfiguration-destinationbucketname
    ExtraRef {
        type_name: "AWS::S3::Bucket",
        path: "LoggingConfiguration/DestinationBucketName",
        target: "AWS::S3::Bucket",
        property: "BucketName",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-loggingconfiguration.html#cfn-s3-bucket-loggingconfiguration-destinationbucketname",
    },
    // Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html#cfn-s3-bucketpolicy-bucket
    ExtraRef {
        type_name: "AWS::S3::BucketPolicy",
        path: "Bucket",
        target: "AWS::S3::Bucket",
        property: "BucketName",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html#cfn-s3-bucketpolicy-bucket",
    },
];

/// Where generated files go, relative to the workspace root.
pub const OUT_DIR: &str = "constructs/src/l1";

/// The first line of every generated file; files starting with it are the generator's.
pub const MARKER: &str = "// @generated by xtask codegen";

/// The registry schemas of one cfn-lint install.
#[derive(Debug, Clone)]
pub struct Schemas {
    /// `.../cfnlint/data/schemas`
    pub dir: PathBuf,
    /// cfn-lint version, for the header.
    pub version: String,
}

impl Schemas {
    /// Asks the workspace venv's Python where cfn-lint is installed.
    pub fn locate(root: &Path) -> Result<Schemas, String> {
        let python = root.join(".venv/bin/python");
        let script = "import os, cfnlint, cfnlint.version\n\
                      print(os.path.dirname(cfnlint.__file__))\n\
                      print(cfnlint.version.__version__)";
        let out = Command::new(&python)
            .args(["-c", script])
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run {}: {e} (run scripts/python-tools to create the venv, or pass --schemas DIR)", python.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} cannot import cfnlint: {}",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let (Some(pkg), Some(version)) = (lines.next(), lines.next()) else {
            return Err(format!(
                "unexpected output from {}: {stdout:?}",
                python.display()
            ));
        };
        let dir = Path::new(pkg.trim()).join("data/schemas");
        Schemas::check_dir(&dir)?;
        Ok(Schemas {
            dir,
            version: version.trim().to_string(),
        })
    }

    /// Schemas at `dir` (`.../cfnlint/data/schemas`); the version is read from the
    /// package's `version.py` two levels up.
    pub fn at(dir: PathBuf) -> Result<Schemas, String> {
        Schemas::check_dir(&dir)?;
        let version_py = dir.join("../../version.py");
        let text = std::fs::read_to_string(&version_py).map_err(|e| {
            format!(
                "cannot read the cfn-lint version from {}: {e}",
                version_py.display()
            )
        })?;
        let version = text
            .lines()
            .find_map(|l| {
                let rest = l.trim().strip_prefix("__version__")?.trim_start();
                let rest = rest.strip_prefix('=')?.trim();
                Some(rest.trim_matches(|c| c == '"' || c == '\'').to_string())
            })
            .ok_or_else(|| format!("no __version__ in {}", version_py.display()))?;
        Ok(Schemas { dir, version })
    }

    fn check_dir(dir: &Path) -> Result<(), String> {
        if dir.join("providers/us-east-1.json").is_file() {
            Ok(())
        } else {
            Err(format!(
                "{} is not a cfn-lint schemas directory (no providers/us-east-1.json)",
                dir.display()
            ))
        }
    }

    /// The Region codes cfn-lint ships a provider schema list for (`providers/<region>.json`),
    /// sorted. Other files there (`sam.json`) are not Regions.
    pub fn regions(&self) -> Result<Vec<String>, String> {
        let dir = self.dir.join("providers");
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let mut regions = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".json") {
                if is_region_code(stem) {
                    regions.push(stem.to_string());
                }
            }
        }
        for (region, _source) in EXTRA_REGIONS {
            if !regions.iter().any(|r| r == region) {
                regions.push(region.to_string());
            }
        }
        regions.sort();
        if !regions.iter().any(|r| r == "us-east-1") {
            return Err(format!("no Region files in {}", dir.display()));
        }
        Ok(regions)
    }

    fn read(&self, rel: &str) -> Result<Json, String> {
        let path = self.dir.join(rel);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
    }
}

/// Regions that exist but have no `providers/<region>.json` in the pinned cfn-lint, each with
/// its source.
pub const EXTRA_REGIONS: &[(&str, &str)] = &[(
    "me-south-1",
    "botocore 1.35.99 (requirements.txt) data/endpoints.json, aws partition",
)];

/// `us-east-1`, `eusc-de-east-1`: lowercase words joined by `-`, the last one a number.
pub fn is_region_code(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// One generated file: path relative to the workspace root, and its formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: PathBuf,
    pub text: String,
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Generates every file into memory, formatted.
pub fn generate(schemas: &Schemas, root: &Path) -> Result<Vec<File>, String> {
    let providers = schemas.read("providers/us-east-1.json")?;
    let mut loaded = Vec::new();
    let mut catalog = model::Catalog::default();
    for type_name in TYPES {
        let hash = providers
            .get(type_name)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{type_name} is not in providers/us-east-1.json"))?;
        let schema = schemas.read(&format!("resources/{hash}.json"))?;
        if schema.get("typeName").and_then(Json::as_str) != Some(type_name) {
            return Err(format!(
                "resources/{hash}.json is not the schema of {type_name}"
            ));
        }
        catalog.add(type_name, &schema);
        loaded.push((type_name, schema));
    }
    for (type_name, _) in HOLDS_DATA {
        if !TYPES.contains(type_name) {
            return Err(format!("HOLDS_DATA: {type_name} is not in TYPES"));
        }
    }
    for e in EXTRA_REFERENCES {
        if !catalog.types.contains_key(e.target) {
            return Err(format!(
                "EXTRA_REFERENCES: {}.{} refers to {}, which is not in TYPES",
                e.type_name, e.path, e.target
            ));
        }
        catalog.extras.push((
            e.type_name.to_string(),
            e.path.to_string(),
            e.target.to_string(),
            e.property.to_string(),
            e.source,
        ));
    }

    let mut resources = Vec::new();
    for (type_name, schema) in &loaded {
        let pick = |table: &[Extra]| -> Vec<(&'static str, &'static str)> {
            table
                .iter()
                .filter(|e| e.type_name == **type_name)
                .map(|e| (e.path, e.source))
                .collect()
        };
        let mut resource = model::resource(
            type_name,
            schema,
            &pick(EXTRA_CREATE_ONLY),
            &pick(EXTRA_ATTRIBUTES),
            &catalog,
        )?;
        resource.holds_data = HOLDS_DATA
            .iter()
            .find(|(t, _)| t == *type_name)
            .map(|(_, what)| *what);
        resources.push(resource);
    }
    model::declare_markers(&mut resources)?;

    let mut services: Vec<(String, Vec<&model::Resource>)> = Vec::new();
    for r in &resources {
        match services.iter_mut().find(|(s, _)| *s == r.service) {
            Some((_, list)) => list.push(r),
            None => services.push((r.service.clone(), vec![r])),
        }
    }

    let out_dir = root.join(OUT_DIR);
    // rustfmt runs where cargo fmt would find the same config: the nearest existing dir.
    let fmt_dir = out_dir
        .ancestors()
        .find(|p| p.is_dir())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut files = vec![File {
        path: Path::new(OUT_DIR).join("mod.rs"),
        text: rustfmt(&emit::mod_rs(&schemas.version, &services), &fmt_dir)?,
    }];
    for (service, list) in &services {
        files.push(File {
            path: Path::new(OUT_DIR).join(format!("{service}.rs")),
            text: rustfmt(&emit::service_rs(&schemas.version, list), &fmt_dir)?,
        });
    }
    files.push(File {
        path: Path::new(OUT_DIR).join("regions.rs"),
        text: rustfmt(
            &emit::regions_rs(&schemas.version, &schemas.regions()?),
            &fmt_dir,
        )?,
    });
    files.push(table::file(schemas)?);
    files.push(values::file(schemas)?);
    Ok(files)
}

/// Formats source with rustfmt (`$RUSTFMT` or `rustfmt` on PATH), run in `dir` so it
/// reads the same configuration `cargo fmt` does.
fn rustfmt(source: &str, dir: &Path) -> Result<String, String> {
    use std::io::Write;
    let bin = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&bin)
        .args(["--edition", "2021", "--emit", "stdout"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt ({}): {e}", bin.to_string_lossy()))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| "rustfmt has no stdin".to_string())?;
    let input = source.to_string();
    // Write from another thread so a full stdout pipe can't deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer thread panicked".to_string())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}

/// Generated files (relative paths) that are missing, differ from `files`, or are no
/// longer generated.
pub fn stale(root: &Path, files: &[File]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in files {
        if std::fs::read_to_string(root.join(&f.path)).ok().as_deref() != Some(f.text.as_str()) {
            out.push(f.path.clone());
        }
    }
    out.extend(leftovers(root, files));
    out
}

/// Files in the output directory that carry the generated marker but are not in `files`.
fn leftovers(root: &Path, files: &[File]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(OUT_DIR)) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| Path::new(OUT_DIR).join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter(|p| !files.iter().any(|f| &f.path == p))
        .filter(|p| std::fs::read_to_string(root.join(p)).is_ok_and(|t| t.starts_with(MARKER)))
        .collect();
    out.sort();
    out
}

/// Writes every file (via a temporary file and a rename) and removes generated files
/// that are no longer generated. Returns the paths written or removed.
pub fn write(root: &Path, files: &[File]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(root.join(OUT_DIR))
        .map_err(|e| format!("cannot create {OUT_DIR}: {e}"))?;
    let mut changed = Vec::new();
    for f in files {
        let path = root.join(&f.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(f.text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, &f.text)
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| format!("cannot rename {} to {}: {e}", tmp.display(), path.display()))?;
        changed.push(f.path.clone());
    }
    for p in leftovers(root, files) {
        std::fs::remove_file(root.join(&p))
            .map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
        changed.push(p);
    }
    Ok(changed)
}
