//! Adopting resources that exist outside the stack (`pcstack deploy --adopt`), without AWS:
//! which resources of the local template to look up ([`lookups`]), what the lookups found
//! compared with the local template ([`assess`]), and the template of the IMPORT change set
//! ([`import_template`]).
//!
//! CloudFormation's rules for an IMPORT change set, which [`import_template`] follows: the
//! template holds the stack's current resources (the deployed template, unchanged: no other
//! change, outputs included) plus the imported ones; each imported resource has a
//! `DeletionPolicy`; `ResourcesToImport` names each one by its identifier property
//! ([`import_identifier`]). An imported resource gets its identifier and its create-only
//! properties only (verified equal to the live resource where pcstack can read them): the
//! ordinary update that follows then brings every other property (encryption, versioning,
//! policies, lifecycle, scanning) to the local template's values, and finds no create-only
//! change, so nothing is replaced.

use crate::types;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// The resource types pcstack adopts and the identifier property CloudFormation's
/// `ResourcesToImport` names them by (the type's primary identifier).
pub const IMPORTABLE: [(&str, &str); 3] = [
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::ECR::Repository", "RepositoryName"),
    ("AWS::FSx::DataRepositoryAssociation", "AssociationId"),
];

/// The identifier property of an importable type; `None` for a type pcstack doesn't adopt.
pub fn import_identifier(type_name: &str) -> Option<&'static str> {
    IMPORTABLE
        .iter()
        .find(|(t, _)| *t == type_name)
        .map(|(_, id)| *id)
}

/// Properties that only act when a resource is created: a different live value is reported,
/// never a reason to refuse (the resource exists; the setting can't matter any more).
const CREATION_ONLY_EFFECT: [(&str, &str); 1] = [(
    "AWS::FSx::DataRepositoryAssociation",
    "BatchImportMetaDataOnCreate",
)];

/// What template expressions resolve to for this deploy.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The caller's account (`AWS::AccountId`); `None` when unknown.
    pub account: Option<String>,
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::StackName`.
    pub stack_name: String,
    /// Parameter values (given, else the stack's current ones, else the template's defaults).
    pub parameters: BTreeMap<String, String>,
    /// Physical IDs of the stack's resources by logical ID (what `Ref` returns for most types).
    pub physical: BTreeMap<String, String>,
}

impl Context {
    fn pseudo(&self, name: &str) -> Option<String> {
        let partition = constructs::partition::of(&self.region);
        match name {
            "AWS::AccountId" => self.account.clone(),
            "AWS::Region" => Some(self.region.clone()),
            "AWS::StackName" => Some(self.stack_name.clone()),
            "AWS::Partition" => Some(partition.name.to_string()),
            "AWS::URLSuffix" => Some(partition.url_suffix.to_string()),
            _ => None,
        }
    }

    fn reference(&self, name: &str) -> Option<String> {
        self.pseudo(name)
            .or_else(|| self.parameters.get(name).cloned())
            .or_else(|| self.physical.get(name).cloned())
    }
}

/// A template value with `Ref`, `Fn::Sub` and `Fn::Join` resolved from `ctx`; `None` when it
/// depends on anything else (a `GetAtt`, a resource not in `ctx`).
pub fn resolve(value: &Json, ctx: &Context) -> Option<Json> {
    match value {
        Json::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            match (k.as_str(), v) {
                ("Ref", Json::String(name)) => ctx.reference(name).map(Json::String),
                ("Fn::Sub", Json::String(text)) => {
                    sub(text, &BTreeMap::new(), ctx).map(Json::String)
                }
                ("Fn::Sub", Json::Array(a)) if a.len() == 2 => {
                    let text = a[0].as_str()?;
                    let mut vars = BTreeMap::new();
                    for (name, v) in a[1].as_object()? {
                        vars.insert(name.clone(), scalar(&resolve(v, ctx)?)?);
                    }
                    sub(text, &vars, ctx).map(Json::String)
                }
                ("Fn::Join", Json::Array(a)) if a.len() == 2 => {
                    let sep = a[0].as_str()?;
                    let parts: Option<Vec<String>> = a[1]
                        .as_array()?
                        .iter()
                        .map(|p| resolve(p, ctx).as_ref().and_then(scalar))
                        .collect();
                    Some(Json::String(parts?.join(sep)))
                }
                (k, _) if k == "Ref" || k.starts_with("Fn::") => None,
                _ => resolve_object(m, ctx),
            }
        }
        Json::Object(m) => resolve_object(m, ctx),
        Json::Array(a) => a
            .iter()
            .map(|v| resolve(v, ctx))
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        other => Some(other.clone()),
    }
}

fn resolve_object(m: &Map<String, Json>, ctx: &Context) -> Option<Json> {
    let mut out = Map::new();
    for (k, v) in m {
        out.insert(k.clone(), resolve(v, ctx)?);
    }
    Some(Json::Object(out))
}

fn scalar(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `Fn::Sub` text: `${Name}` from `vars` or `ctx`, `${!Literal}` kept as `${Literal}`.
fn sub(text: &str, vars: &BTreeMap<String, String>, ctx: &Context) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            out.push_str(&vars.get(name).cloned().or_else(|| ctx.reference(name))?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// One lookup deploy makes before any change: a resource the local template would create with
/// a fixed name or identity that may already exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// HeadBucket (with the caller's account as expected owner).
    Bucket {
        /// Logical ID in the local template.
        logical_id: String,
        /// The bucket's name.
        name: String,
    },
    /// DescribeRepositories.
    Repository {
        /// Logical ID in the local template.
        logical_id: String,
        /// The repository's name.
        name: String,
    },
    /// DescribeDataRepositoryAssociations on the file system, matched by file-system path.
    Association {
        /// Logical ID in the local template.
        logical_id: String,
        /// The stack's file system the association would be made on.
        file_system_id: String,
        /// The association's path on the file system.
        file_system_path: String,
    },
}

impl Lookup {
    /// The logical ID in the local template.
    pub fn logical_id(&self) -> &str {
        match self {
            Lookup::Bucket { logical_id, .. }
            | Lookup::Repository { logical_id, .. }
            | Lookup::Association { logical_id, .. } => logical_id,
        }
    }
}

fn resources(template: Option<&Json>) -> Map<String, Json> {
    template
        .and_then(|t| t.get("Resources"))
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default()
}

/// What to look up: the local template's importable resources that the deployed template
/// (`None`: no stack yet) doesn't hold, with a name or identity resolved from `ctx`.
/// Resources without a fixed name get a generated one from CloudFormation and can't exist
/// already; those that can't be resolved (an unknown account, a `GetAtt`) are returned as
/// notes saying they were not checked.
pub fn lookups(local: &Json, deployed: Option<&Json>, ctx: &Context) -> (Vec<Lookup>, Vec<String>) {
    let in_stack = resources(deployed);
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for (id, r) in resources(Some(local)) {
        if in_stack.contains_key(&id) {
            continue;
        }
        let type_name = r.get("Type").and_then(Json::as_str).unwrap_or_default();
        let props = r.get("Properties").cloned().unwrap_or(Json::Null);
        let text = |name: &str| -> Result<Option<String>, ()> {
            match props.get(name) {
                None => Ok(None),
                Some(v) => resolve(v, ctx)
                    .as_ref()
                    .and_then(scalar)
                    .map(Some)
                    .ok_or(()),
            }
        };
        let unresolved = |what: &str| {
            format!("{id} ({type_name}): its {what} can't be worked out before deploying, so pcstack did not check whether it exists")
        };
        match type_name {
            "AWS::S3::Bucket" | "AWS::ECR::Repository" => {
                let key = if type_name == "AWS::S3::Bucket" {
                    "BucketName"
                } else {
                    "RepositoryName"
                };
                match text(key) {
                    Ok(Some(name)) if type_name == "AWS::S3::Bucket" => {
                        found.push(Lookup::Bucket {
                            logical_id: id.clone(),
                            name,
                        })
                    }
                    Ok(Some(name)) => found.push(Lookup::Repository {
                        logical_id: id.clone(),
                        name,
                    }),
                    Ok(None) => {}
                    Err(()) => notes.push(unresolved(key)),
                }
            }
            "AWS::FSx::DataRepositoryAssociation" => {
                // Only on a file system the stack already has: a new one has no associations.
                let fs_in_stack = props
                    .get("FileSystemId")
                    .and_then(|v| v.get("Ref"))
                    .and_then(Json::as_str)
                    .is_none_or(|r| in_stack.contains_key(r));
                if !fs_in_stack {
                    continue;
                }
                match (text("FileSystemId"), text("FileSystemPath")) {
                    (Ok(Some(fs)), Ok(Some(path))) => found.push(Lookup::Association {
                        logical_id: id.clone(),
                        file_system_id: fs,
                        file_system_path: path,
                    }),
                    _ => notes.push(unresolved("file system or path")),
                }
            }
            _ => {}
        }
    }
    (found, notes)
}

/// A resource a lookup found outside the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Logical ID in the local template.
    pub logical_id: String,
    /// Its CloudFormation type.
    pub type_name: String,
    /// The physical ID (bucket or repository name, association ID).
    pub physical_id: String,
    /// Why it is not the caller's account's (HeadBucket refused with the caller's account
    /// as the expected owner); `None`: it is.
    pub foreign_owner: Option<String>,
    /// What pcstack read of it, as CloudFormation properties (create-only ones, and the
    /// association's S3 policies).
    pub live: Map<String, Json>,
}

/// One resource to import: `ResourcesToImport` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    /// Logical ID in the local template (and the import template).
    pub logical_id: String,
    /// Its CloudFormation type.
    pub type_name: String,
    /// The identifier property (`BucketName`).
    pub key: String,
    /// Its value (the physical ID).
    pub value: String,
}

/// What was found, judged against the local template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    /// What can be imported as it is.
    pub adopt: Vec<Adoption>,
    /// Why some can't: each names the resource, the rule and the values. Any blocker stops the
    /// deploy (exit 1) with nothing changed.
    pub blockers: Vec<String>,
    /// Differences the update after the import settles (policies) or that no longer matter
    /// (creation-only settings): shown in the review, never silent.
    pub reports: Vec<String>,
}

fn get_path<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('/').try_fold(v, |v, k| v.get(k))
}

fn show(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares what was found with the local template: a create-only property whose live value
/// differs from the local one is a blocker (the update would have to replace the resource);
/// a differing association policy is a report (the update applies the local one); a resource
/// of another account or of a type CloudFormation can't import is a blocker.
pub fn assess(local: &Json, found: &[Found], ctx: &Context) -> Assessment {
    let local_resources = resources(Some(local));
    let mut out = Assessment::default();
    for f in found {
        let who = format!("{} ({} {})", f.logical_id, f.type_name, f.physical_id);
        let Some(key) = import_identifier(&f.type_name) else {
            out.blockers.push(format!(
                "{who}: CloudFormation can't import this type (pcstack adopts {}); delete or rename it outside pcstack",
                IMPORTABLE.map(|(t, _)| t).join(", ")
            ));
            continue;
        };
        if let Some(owner) = &f.foreign_owner {
            out.blockers.push(format!(
                "{who}: {owner}; only resources of the caller's account can be adopted: choose another name in the config"
            ));
            continue;
        }
        let props = local_resources
            .get(&f.logical_id)
            .and_then(|r| r.get("Properties"))
            .cloned()
            .unwrap_or(Json::Null);
        let live_props = Json::Object(f.live.clone());
        let mut blocked = false;
        let create_only = types::create_only(&f.type_name).unwrap_or_default();
        for path in create_only {
            // A path under one already compared (EncryptionConfiguration/EncryptionType).
            if create_only
                .iter()
                .any(|p| path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
            {
                continue;
            }
            let (Some(live), Some(want)) = (get_path(&live_props, path), get_path(&props, path))
            else {
                continue;
            };
            let Some(want) = resolve(want, ctx) else {
                out.blockers.push(format!(
                    "{who}: {path} can't be worked out before deploying, so pcstack can't tell whether it matches the live value {}",
                    show(live)
                ));
                blocked = true;
                continue;
            };
            if same(&want, live) {
                continue;
            }
            if CREATION_ONLY_EFFECT.contains(&(f.type_name.as_str(), *path)) {
                out.reports.push(format!(
                    "{who}: {path} is {} on the live resource and {} in the config; it only acts when the resource is created, so it is recorded as the config's",
                    show(live),
                    show(&want)
                ));
                continue;
            }
            out.blockers.push(format!(
                "{who}: {path} is {} on the live resource but {} in the config; it can't change without replacing the resource, so pcstack won't adopt it{}",
                show(live),
                show(&want),
                hint(&f.type_name, path)
            ));
            blocked = true;
        }
        if f.type_name == "AWS::FSx::DataRepositoryAssociation" {
            for policy in ["S3/AutoImportPolicy/Events", "S3/AutoExportPolicy/Events"] {
                let live = events(get_path(&live_props, policy));
                let want = events(get_path(&props, policy));
                if live != want {
                    out.reports.push(format!(
                        "{who}: {policy} is [{}] on the live association, [{}] in the config: the update after the import sets the config's",
                        live.join(", "),
                        want.join(", ")
                    ));
                }
            }
        }
        if !blocked {
            out.adopt.push(Adoption {
                logical_id: f.logical_id.clone(),
                type_name: f.type_name.clone(),
                key: key.to_string(),
                value: f.physical_id.clone(),
            });
        }
    }
    out
}

/// Whether the local value is what the live resource has: objects compare by the local
/// object's keys only (a key left out takes the service's default, which the live resource
/// shows: ECR's `KmsKey` of `aws/ecr`).
fn same(want: &Json, live: &Json) -> bool {
    match (want, live) {
        (Json::Object(w), Json::Object(l)) => w
            .iter()
            .all(|(k, v)| l.get(k).is_some_and(|lv| same(v, lv))),
        (w, l) => w == l,
    }
}

fn events(v: Option<&Json>) -> Vec<String> {
    let mut e: Vec<String> = v
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    e.sort();
    e
}

fn hint(type_name: &str, path: &str) -> &'static str {
    match (type_name, path) {
        ("AWS::ECR::Repository", p) if p.starts_with("EncryptionConfiguration") => {
            " (ECR can't change a repository's encryption: set the config's `repository.encryption` to the live one (the tutorial's repository is AES256), or set another `repository.name`)"
        }
        ("AWS::FSx::DataRepositoryAssociation", _) => {
            " (make the config's association match it, or delete the association: that deletes no data in S3 or on the file system when DeleteDataInFileSystem is false)"
        }
        _ => "",
    }
}

/// The template of the IMPORT change set: the deployed template (`None`: a new stack, nothing
/// deployed) unchanged, plus each adopted resource of the local template with its `Type`,
/// its `DeletionPolicy` (the local one, else `Retain`: CloudFormation requires one), its
/// `UpdateReplacePolicy`, and as properties its identifier and its create-only properties
/// only. Refused when an adopted resource is not in the local template, is already in the
/// deployed one, or refers to a resource that is in neither template's import set.
pub fn import_template(
    deployed: Option<&Json>,
    local: &Json,
    adopt: &[Adoption],
) -> Result<Json, String> {
    let mut out = deployed
        .cloned()
        .unwrap_or_else(|| json!({"Resources": {}}));
    let local_resources = resources(Some(local));
    let mut known: Vec<String> = resources(deployed).keys().cloned().collect();
    known.extend(adopt.iter().map(|a| a.logical_id.clone()));
    let parameters: Vec<String> = deployed
        .and_then(|d| d.get("Parameters"))
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let mut added = Map::new();
    for a in adopt {
        if resources(deployed).contains_key(&a.logical_id) {
            return Err(format!("{} is already in the stack", a.logical_id));
        }
        let r = local_resources
            .get(&a.logical_id)
            .ok_or_else(|| format!("{} is not in the template being deployed", a.logical_id))?;
        let type_name = r.get("Type").and_then(Json::as_str).unwrap_or_default();
        if type_name != a.type_name || import_identifier(type_name).is_none() {
            return Err(format!(
                "{} is {type_name}, which pcstack doesn't import",
                a.logical_id
            ));
        }
        let props = r
            .get("Properties")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        let create_only = types::create_only(type_name).unwrap_or_default();
        let mut kept = Map::new();
        for (k, v) in props {
            if k == a.key || create_only.contains(&k.as_str()) {
                for name in references(&v) {
                    if !known.contains(&name)
                        && !parameters.contains(&name)
                        && !name.starts_with("AWS::")
                    {
                        return Err(format!(
                            "{}.{k} refers to {name}, which is neither in the stack nor adopted with it",
                            a.logical_id
                        ));
                    }
                }
                kept.insert(k, v);
            }
        }
        let mut resource = Map::new();
        resource.insert("Type".into(), json!(type_name));
        let deletion = r
            .get("DeletionPolicy")
            .cloned()
            .unwrap_or_else(|| json!("Retain"));
        resource.insert("DeletionPolicy".into(), deletion);
        if let Some(p) = r.get("UpdateReplacePolicy") {
            resource.insert("UpdateReplacePolicy".into(), p.clone());
        }
        resource.insert("Properties".into(), Json::Object(kept));
        added.insert(a.logical_id.clone(), Json::Object(resource));
    }
    let target = out
        .as_object_mut()
        .ok_or("the deployed template is not an object")?
        .entry("Resources")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or("the deployed template's Resources is not an object")?;
    target.extend(added);
    Ok(out)
}

/// Names a value refers to: `Ref`, `Fn::GetAtt` and `${...}` in `Fn::Sub` (attributes cut).
fn references(v: &Json) -> Vec<String> {
    let mut out = Vec::new();
    collect(v, &mut out);
    out
}

fn collect(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("Ref", Json::String(s)) => out.push(s.clone()),
                    ("Fn::GetAtt", Json::Array(a)) => {
                        if let Some(s) = a.first().and_then(Json::as_str) {
                            out.push(s.to_string());
                        }
                    }
                    ("Fn::GetAtt", Json::String(s)) => {
                        out.push(s.split('.').next().unwrap_or_default().to_string())
                    }
                    ("Fn::Sub", Json::String(s)) => sub_names(s, &[], out),
                    ("Fn::Sub", Json::Array(a)) if a.len() == 2 => {
                        let local: Vec<String> = a[1]
                            .as_object()
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default();
                        if let Some(s) = a[0].as_str() {
                            sub_names(s, &local, out);
                        }
                        collect(&a[1], out);
                    }
                    _ => collect(v, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn sub_names(text: &str, local: &[String], out: &mut Vec<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') {
            let base = name.split('.').next().unwrap_or_default();
            if !local.iter().any(|l| l == name) {
                out.push(base.to_string());
            }
        }
        rest = &after[end + 1..];
    }
}

/// The message deploy stops with when resources exist outside the stack and `--adopt` was not
/// given: each one named, and the offer.
pub fn offer(stack: &str, found: &[Found], resume: &str) -> String {
    let mut lines = vec![format!(
        "these resources of the template already exist outside stack {stack}, so creating them would fail; nothing was changed:"
    )];
    for f in found {
        lines.push(format!(
            "  {} ({}): {}",
            f.logical_id, f.type_name, f.physical_id
        ));
    }
    lines.push(format!(
        "pcstack can adopt them into the stack (an IMPORT change set, reviewed, then the update that brings them to the config's settings; nothing is deleted or recreated): run `{resume} --adopt`"
    ));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYED: &str = r#"
Parameters:
  Capacity: {Type: Number, Default: 2400}
Resources:
  FSxLFilesystem:
    Type: AWS::FSx::FileSystem
    Properties: {FileSystemType: LUSTRE, SubnetIds: [subnet-1], StorageCapacity: {Ref: Capacity}}
Outputs:
  FSxLustreFilesystemId: {Value: {Ref: FSxLFilesystem}}
"#;

    const LOCAL: &str = r#"
Parameters:
  Capacity: {Type: Number, Default: 2400}
Resources:
  FSxLFilesystem:
    Type: AWS::FSx::FileSystem
    Properties: {FileSystemType: LUSTRE, SubnetIds: [subnet-1], StorageCapacity: {Ref: Capacity}}
  DataBucket:
    Type: AWS::S3::Bucket
    DependsOn: LogBucket
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: {"Fn::Sub": "parallelcluster-${AWS::AccountId}-${AWS::Region}"}
      VersioningConfiguration: {Status: Enabled}
      LoggingConfiguration: {DestinationBucketName: {Ref: LogBucket}}
  LogBucket:
    Type: AWS::S3::Bucket
    Properties: {}
  TrainingImageRepository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: pytorch-training-custom
      EncryptionConfiguration: {EncryptionType: AES256}
      ImageScanningConfiguration: {ScanOnPush: true}
  DataAssociation:
    Type: AWS::FSx::DataRepositoryAssociation
    Properties:
      BatchImportMetaDataOnCreate: true
      DataRepositoryPath: {"Fn::Sub": "s3://${DataBucket}/data/"}
      FileSystemId: {Ref: FSxLFilesystem}
      FileSystemPath: /data
      S3: {AutoImportPolicy: {Events: [NEW, CHANGED, DELETED]}}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties: {Bucket: {Ref: DataBucket}, PolicyDocument: {}}
Outputs:
  FSxLustreFilesystemId: {Value: {Ref: FSxLFilesystem}}
  S3BucketName: {Value: {Ref: DataBucket}}
"#;

    fn t(s: &str) -> Json {
        crate::template::parse_template(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ctx() -> Context {
        let mut c = Context {
            account: Some("123456789012".into()),
            region: "us-east-1".into(),
            stack_name: "parallelcluster-prerequisites".into(),
            ..Context::default()
        };
        c.physical.insert("FSxLFilesystem".into(), "fs-0abc".into());
        c
    }

    #[test]
    fn resolves_sub_ref_join_and_refuses_getatt() {
        let c = ctx();
        let v = json!({"Fn::Sub": "parallelcluster-${AWS::AccountId}-${AWS::Region}"});
        assert_eq!(
            resolve(&v, &c),
            Some(json!("parallelcluster-123456789012-us-east-1"))
        );
        let v = json!({"Fn::Sub": ["s3://${B}/x/${!Keep}", {"B": {"Ref": "FSxLFilesystem"}}]});
        assert_eq!(resolve(&v, &c), Some(json!("s3://fs-0abc/x/${Keep}")));
        let v = json!({"Fn::Join": ["-", ["a", {"Ref": "AWS::Partition"}]]});
        assert_eq!(resolve(&v, &c), Some(json!("a-aws")));
        assert_eq!(resolve(&json!({"Fn::GetAtt": ["X", "Arn"]}), &c), None);
        assert_eq!(resolve(&json!({"Ref": "Nope"}), &c), None);
        let mut unknown = c.clone();
        unknown.account = None;
        assert_eq!(
            resolve(&json!({"Fn::Sub": "b-${AWS::AccountId}"}), &unknown),
            None
        );
    }

    #[test]
    fn looks_up_only_what_the_stack_lacks_with_a_fixed_name() {
        let mut c = ctx();
        c.physical.insert(
            "DataBucket".into(),
            "parallelcluster-123456789012-us-east-1".into(),
        );
        let (found, notes) = lookups(&t(LOCAL), Some(&t(DEPLOYED)), &c);
        assert_eq!(
            found,
            vec![
                Lookup::Bucket {
                    logical_id: "DataBucket".into(),
                    name: "parallelcluster-123456789012-us-east-1".into()
                },
                Lookup::Repository {
                    logical_id: "TrainingImageRepository".into(),
                    name: "pytorch-training-custom".into()
                },
                Lookup::Association {
                    logical_id: "DataAssociation".into(),
                    file_system_id: "fs-0abc".into(),
                    file_system_path: "/data".into()
                },
            ]
        );
        // LogBucket has no name: CloudFormation generates one, nothing can exist already.
        assert!(notes.is_empty(), "{notes:?}");
        // Once in the stack (after the import), nothing is looked up again.
        let (again, _) = lookups(&t(LOCAL), Some(&t(LOCAL)), &c);
        assert!(again.is_empty());
    }

    #[test]
    fn a_new_stack_looks_up_names_but_no_associations_and_says_what_it_could_not_check() {
        let mut c = ctx();
        c.account = None;
        c.physical.clear();
        let (found, notes) = lookups(&t(LOCAL), None, &c);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].logical_id(), "TrainingImageRepository");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("DataBucket") && notes[0].contains("BucketName"));
    }

    fn found_association(path: &str, repo_path: &str, import: &[&str]) -> Found {
        let mut live = Map::new();
        live.insert("FileSystemId".into(), json!("fs-0abc"));
        live.insert("FileSystemPath".into(), json!(path));
        live.insert("DataRepositoryPath".into(), json!(repo_path));
        live.insert("BatchImportMetaDataOnCreate".into(), json!(false));
        live.insert("S3".into(), json!({"AutoImportPolicy": {"Events": import}}));
        Found {
            logical_id: "DataAssociation".into(),
            type_name: "AWS::FSx::DataRepositoryAssociation".into(),
            physical_id: "dra-1".into(),
            foreign_owner: None,
            live,
        }
    }

    fn ctx_with_bucket() -> Context {
        let mut c = ctx();
        c.physical.insert(
            "DataBucket".into(),
            "parallelcluster-123456789012-us-east-1".into(),
        );
        c
    }

    #[test]
    fn a_matching_association_is_adopted_with_its_creation_only_difference_reported() {
        let f = found_association(
            "/data",
            "s3://parallelcluster-123456789012-us-east-1/data/",
            &["DELETED", "NEW", "CHANGED"],
        );
        let a = assess(&t(LOCAL), &[f], &ctx_with_bucket());
        assert!(a.blockers.is_empty(), "{:?}", a.blockers);
        assert_eq!(
            a.adopt,
            vec![Adoption {
                logical_id: "DataAssociation".into(),
                type_name: "AWS::FSx::DataRepositoryAssociation".into(),
                key: "AssociationId".into(),
                value: "dra-1".into()
            }]
        );
        // Event order doesn't matter; batch import only acts on creation: reported, not blocking.
        assert_eq!(a.reports.len(), 1, "{:?}", a.reports);
        assert!(a.reports[0].contains("BatchImportMetaDataOnCreate"));
    }

    #[test]
    fn an_association_with_other_paths_is_refused_and_other_policies_reported() {
        let f = found_association("/data", "s3://other-bucket/data/", &["NEW"]);
        let a = assess(&t(LOCAL), &[f], &ctx_with_bucket());
        assert!(a.adopt.is_empty());
        assert_eq!(a.blockers.len(), 1, "{:?}", a.blockers);
        assert!(a.blockers[0].contains("DataRepositoryPath is s3://other-bucket/data/"));
        assert!(a.blockers[0].contains("DeleteDataInFileSystem"));
        assert!(a
            .reports
            .iter()
            .any(|r| r.contains("AutoImportPolicy") && r.contains("[NEW]")));
    }

    #[test]
    fn repository_encryption_that_differs_is_refused_and_a_foreign_bucket_too() {
        let mut live = Map::new();
        live.insert("RepositoryName".into(), json!("pytorch-training-custom"));
        live.insert(
            "EncryptionConfiguration".into(),
            json!({"EncryptionType": "KMS"}),
        );
        let repo = Found {
            logical_id: "TrainingImageRepository".into(),
            type_name: "AWS::ECR::Repository".into(),
            physical_id: "pytorch-training-custom".into(),
            foreign_owner: None,
            live,
        };
        let bucket = Found {
            logical_id: "DataBucket".into(),
            type_name: "AWS::S3::Bucket".into(),
            physical_id: "parallelcluster-123456789012-us-east-1".into(),
            foreign_owner: Some("not owned by account 123456789012".into()),
            live: Map::new(),
        };
        let topic = Found {
            logical_id: "Topic".into(),
            type_name: "AWS::SNS::Topic".into(),
            physical_id: "t".into(),
            foreign_owner: None,
            live: Map::new(),
        };
        let mut same_key = repo.clone();
        same_key.live.insert(
            "EncryptionConfiguration".into(),
            json!({"EncryptionType": "AES256"}),
        );
        let ok = assess(&t(LOCAL), &[same_key], &ctx());
        assert!(ok.blockers.is_empty() && ok.adopt.len() == 1, "{ok:?}");
        let a = assess(&t(LOCAL), &[repo, bucket, topic], &ctx());
        assert!(a.adopt.is_empty(), "{:?}", a.adopt);
        assert_eq!(a.blockers.len(), 3, "{:?}", a.blockers);
        assert!(
            a.blockers[0].contains("EncryptionConfiguration")
                && a.blockers[0].contains("repository.name")
        );
        assert!(a.blockers[1].contains("not owned by account 123456789012; only"));
        assert!(a.blockers[2].contains("can't import"));
    }

    fn adoptions() -> Vec<Adoption> {
        vec![
            Adoption {
                logical_id: "DataBucket".into(),
                type_name: "AWS::S3::Bucket".into(),
                key: "BucketName".into(),
                value: "parallelcluster-123456789012-us-east-1".into(),
            },
            Adoption {
                logical_id: "TrainingImageRepository".into(),
                type_name: "AWS::ECR::Repository".into(),
                key: "RepositoryName".into(),
                value: "pytorch-training-custom".into(),
            },
            Adoption {
                logical_id: "DataAssociation".into(),
                type_name: "AWS::FSx::DataRepositoryAssociation".into(),
                key: "AssociationId".into(),
                value: "dra-1".into(),
            },
        ]
    }

    #[test]
    fn import_template_is_the_deployed_one_plus_identifiers_and_create_only_properties() {
        let deployed = t(DEPLOYED);
        let out = import_template(Some(&deployed), &t(LOCAL), &adoptions())
            .unwrap_or_else(|e| panic!("{e}"));
        // Nothing of the deployed template changes: parameters, outputs, its resources.
        assert_eq!(out["Outputs"], deployed["Outputs"]);
        assert_eq!(out["Parameters"], deployed["Parameters"]);
        assert_eq!(
            out["Resources"]["FSxLFilesystem"],
            deployed["Resources"]["FSxLFilesystem"]
        );
        let bucket = &out["Resources"]["DataBucket"];
        assert_eq!(bucket["DeletionPolicy"], json!("RetainExceptOnCreate"));
        assert_eq!(bucket["UpdateReplacePolicy"], json!("Retain"));
        // Only the identifier: versioning and logging come with the update after the import.
        assert_eq!(
            bucket["Properties"],
            json!({"BucketName": {"Fn::Sub": "parallelcluster-${AWS::AccountId}-${AWS::Region}"}})
        );
        assert!(bucket.get("DependsOn").is_none());
        let repo = &out["Resources"]["TrainingImageRepository"];
        // No policy in the local template: Retain, since import requires one.
        assert_eq!(repo["DeletionPolicy"], json!("Retain"));
        assert_eq!(
            repo["Properties"],
            json!({"RepositoryName": "pytorch-training-custom", "EncryptionConfiguration": {"EncryptionType": "AES256"}})
        );
        let dra = &out["Resources"]["DataAssociation"]["Properties"];
        assert!(dra.get("S3").is_none(), "{dra}");
        assert_eq!(dra["FileSystemPath"], json!("/data"));
        assert_eq!(dra["BatchImportMetaDataOnCreate"], json!(true));
        // Neither the policy nor the log bucket: only the imported resources are added.
        assert!(out["Resources"].get("Policy").is_none());
        assert!(out["Resources"].get("LogBucket").is_none());
        assert_eq!(out["Resources"].as_object().map(|m| m.len()), Some(4));
        // The update from it to the local template replaces nothing.
        let p = crate::predict::predict(&out, &t(LOCAL));
        assert!(
            p.resources.iter().all(|r| !r.replacement),
            "{:?}",
            p.resources
        );
    }

    #[test]
    fn import_template_refuses_a_reference_outside_the_import() {
        let only_dra = vec![adoptions().remove(2)];
        let e = import_template(Some(&t(DEPLOYED)), &t(LOCAL), &only_dra)
            .err()
            .unwrap_or_default();
        assert!(e.contains("DataRepositoryPath refers to DataBucket"), "{e}");
        let e = import_template(Some(&t(LOCAL)), &t(LOCAL), &adoptions()[..1])
            .err()
            .unwrap_or_default();
        assert!(e.contains("already in the stack"), "{e}");
    }

    #[test]
    fn a_new_stack_imports_into_an_empty_template() {
        let out =
            import_template(None, &t(LOCAL), &adoptions()[..2]).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&String> = out["Resources"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(ids, ["DataBucket", "TrainingImageRepository"]);
        assert!(out.get("Outputs").is_none());
    }

    #[test]
    fn the_offer_names_each_resource_and_the_flag() {
        let f = found_association("/data", "s3://b/data/", &[]);
        let text = offer("s", &[f], "pcstack deploy --stack-name s");
        assert!(text.contains("DataAssociation (AWS::FSx::DataRepositoryAssociation): dra-1"));
        assert!(text.contains("`pcstack deploy --stack-name s --adopt`"));
    }

    /// The built-in stack with `repository.encryption: AES256` adopts the tutorial's
    /// repository as it was made (AES256), without a blocker.
    #[test]
    fn the_built_in_stack_set_to_aes256_adopts_the_tutorial_repository() {
        let built = |yaml: &str| {
            let stack = stacks::find(stacks::DEFAULT_STACK).unwrap_or_else(|d| panic!("{d}"));
            let configured = stacks::Configured::new(stack, Some((yaml, "config")))
                .unwrap_or_else(|d| panic!("{d}"));
            let built = configured.build().unwrap_or_else(|d| panic!("{d}"));
            t(&built.synthesized.render(synth::Format::Yaml))
        };
        let mut live = Map::new();
        live.insert("RepositoryName".into(), json!("pytorch-training-custom"));
        live.insert(
            "EncryptionConfiguration".into(),
            json!({"EncryptionType": "AES256"}),
        );
        let found = Found {
            logical_id: "TrainingImageRepository".into(),
            type_name: "AWS::ECR::Repository".into(),
            physical_id: "pytorch-training-custom".into(),
            foreign_owner: None,
            live,
        };
        let aes = assess(
            &built("repository:\n  encryption: AES256\n"),
            std::slice::from_ref(&found),
            &ctx(),
        );
        assert!(aes.blockers.is_empty(), "{:?}", aes.blockers);
        assert_eq!(aes.adopt.len(), 1);
        let kms = assess(&built("{}\n"), &[found], &ctx());
        assert!(
            kms.blockers.len() == 1 && kms.blockers[0].contains("repository.encryption"),
            "{:?}",
            kms.blockers
        );
    }
}
