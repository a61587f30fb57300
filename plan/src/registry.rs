//! Every CloudFormation resource type of every Region: its Regions, properties (and which are
//! required), `Fn::GetAtt` attributes and create-only properties.
//!
//! Source: the CloudFormation registry schemas shipped in the pinned cfn-lint
//! (`cfnlint/data/schemas/providers/<region>.json` and `resources/<hash>.json`), written by
//! `cargo run -p xtask -- codegen` into `plan/data/resource-types.tsv` (its format is in
//! `xtask/src/codegen/table.rs`). The text is compiled in, indexed on first use, and each
//! type's line read when the type is first looked up, so commands that check no template file
//! (`pcstack synth`) never pay for it.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::OnceLock;
use synth::catalog::{nearest, Catalog, Lookup, TypeFacts};

/// The generated table.
const TABLE: &str = include_str!("../data/resource-types.tsv");

/// The generated value schemas (format in `xtask/src/codegen/values.rs`): one line per type,
/// indexed on first use, each line parsed when its type is first checked.
const SCHEMAS: &str = include_str!("../data/resource-schemas.tsv");

/// Type name -> its schema's text and, once read, the schema.
type SchemaIndex = HashMap<&'static str, (&'static str, OnceLock<Option<Json>>)>;

fn schema_index() -> &'static SchemaIndex {
    static INDEX: OnceLock<SchemaIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        lines(SCHEMAS)
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(name, text)| (name, (text, OnceLock::new())))
            .collect()
    })
}

/// The lines of a generated table, found with `memchr`: the schemas are 5 MB, and the
/// standard library's byte search (without SIMD) took 6M instructions to index them.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line.strip_suffix('\r').unwrap_or(line)
        })
}

/// The value schema of a type (its registry schema cut to what a value check reads), parsed
/// on first use; `None` for a type the schemas don't have.
pub fn value_schema(type_name: &str) -> Option<&'static Json> {
    let (text, parsed) = schema_index().get(type_name)?;
    parsed
        .get_or_init(|| serde_json::from_str(text).ok())
        .as_ref()
}

/// One resource type.
#[derive(Debug)]
pub struct TypeEntry {
    /// `AWS::S3::Bucket`
    pub type_name: &'static str,
    /// Bit i set: the type exists in [`Registry::regions`]`[i]`.
    pub regions: u64,
    /// Top-level property names.
    pub properties: Vec<&'static str>,
    /// The required ones among them.
    pub required: Vec<&'static str>,
    /// `Fn::GetAtt` attributes, `.`-joined.
    pub attributes: Vec<&'static str>,
    /// Create-only properties, `/`-joined paths.
    pub create_only: Vec<&'static str>,
}

/// The parsed table.
#[derive(Debug, Default)]
pub struct Registry {
    /// The Regions the schemas cover, in the table's bit order.
    pub regions: Vec<&'static str>,
    /// Type name -> its line of the table and, once read, its entry (`None` for a line that
    /// doesn't fit the format).
    types: HashMap<&'static str, (&'static str, OnceLock<Option<TypeEntry>>)>,
    names: Vec<&'static str>,
}

/// The table, parsed on first use.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| parse(TABLE))
}

fn list(field: &'static str) -> Vec<&'static str> {
    field.split(',').filter(|s| !s.is_empty()).collect()
}

/// Indexes the table's text: the Regions, and each type's line, read when the type is first
/// looked up (a template names a few of the 1,900 types; reading them all was 17M
/// instructions per process).
fn parse(text: &'static str) -> Registry {
    let mut r = Registry::default();
    for line in lines(text) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(regions) = line.strip_prefix("R\t") {
            r.regions = regions.split(' ').collect();
            continue;
        }
        let Some((type_name, _)) = line.split_once('\t') else {
            continue;
        };
        r.names.push(type_name);
        r.types.insert(type_name, (line, OnceLock::new()));
    }
    r
}

/// One type's line of the table; `None` when it doesn't fit the format (the generator writes
/// the file and a test checks that every line parses).
fn entry(line: &'static str) -> Option<TypeEntry> {
    let fields: Vec<&'static str> = line.split('\t').collect();
    let [type_name, mask, props, attrs, create_only] = fields[..] else {
        return None;
    };
    let regions = u64::from_str_radix(mask, 16).ok()?;
    let mut properties = Vec::new();
    let mut required = Vec::new();
    for p in list(props) {
        match p.strip_prefix('!') {
            Some(name) => {
                properties.push(name);
                required.push(name);
            }
            None => properties.push(p),
        }
    }
    Some(TypeEntry {
        type_name,
        regions,
        properties,
        required,
        attributes: list(attrs),
        create_only: list(create_only),
    })
}

impl Registry {
    /// The entry of a type, in any Region.
    pub fn get(&self, type_name: &str) -> Option<&TypeEntry> {
        let (line, parsed) = self.types.get(type_name)?;
        parsed.get_or_init(|| entry(line)).as_ref()
    }

    /// How many types the table holds.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether the table is empty (it never is once generated).
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Whether `region` is one the schemas cover.
    pub fn knows_region(&self, region: &str) -> bool {
        self.regions.contains(&region)
    }

    /// Whether the type exists in `region`; `None` when the type or the Region is unknown
    /// to the table.
    pub fn in_region(&self, type_name: &str, region: &str) -> Option<bool> {
        let i = self.regions.iter().position(|r| *r == region)?;
        let entry = self.get(type_name)?;
        Some(entry.regions & (1 << i) != 0)
    }

    /// A [`Catalog`] for templates deployed to `region`; with `None` (or a Region the table
    /// doesn't cover) a type only has to exist in some Region.
    pub fn catalog<'a>(&'a self, region: Option<&'a str>) -> RegionCatalog<'a> {
        RegionCatalog {
            registry: self,
            region: region.filter(|r| self.knows_region(r)),
        }
    }
}

/// The registry seen from one Region (or from all, without one).
#[derive(Debug, Clone, Copy)]
pub struct RegionCatalog<'a> {
    registry: &'a Registry,
    region: Option<&'a str>,
}

impl Catalog for RegionCatalog<'_> {
    fn lookup(&self, type_name: &str) -> Lookup<'_> {
        let Some(entry) = self.registry.get(type_name) else {
            return Lookup::Unknown;
        };
        if let Some(region) = self.region {
            if self.registry.in_region(type_name, region) == Some(false) {
                return Lookup::NotInRegion { region };
            }
        }
        Lookup::Known(TypeFacts {
            properties: &entry.properties,
            required: &entry.required,
            attributes: &entry.attributes,
        })
    }

    fn suggest_type(&self, type_name: &str) -> Option<&str> {
        nearest(type_name, self.registry.names.iter().copied())
    }

    fn schema(&self, type_name: &str) -> Option<&Json> {
        value_schema(type_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_table_parses() {
        let r = registry();
        let lines = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("R\t") && !l.is_empty())
            .count();
        assert_eq!(r.len(), lines);
        assert!(r.len() > 1500, "{}", r.len());
        assert!(r.regions.len() > 30 && r.regions.len() <= 64);
        assert!(r.knows_region("us-east-1") && !r.knows_region("moon-1"));
    }

    /// The table is read one type at a time: every line must read as a type.
    #[test]
    fn every_type_reads() {
        let r = registry();
        assert_eq!(r.names.len(), r.len());
        for name in &r.names {
            assert_eq!(r.get(name).map(|t| t.type_name), Some(*name));
        }
    }

    #[test]
    fn facts_of_a_known_type() {
        let bucket = registry().get("AWS::S3::Bucket").unwrap();
        assert!(bucket.properties.contains(&"BucketName"));
        assert!(bucket.required.is_empty());
        assert!(bucket.attributes.contains(&"Arn"));
        assert!(bucket.create_only.contains(&"BucketName"));
        let sg = registry().get("AWS::EC2::SecurityGroup").unwrap();
        assert_eq!(sg.required, ["GroupDescription"]);
    }

    #[test]
    fn region_availability() {
        let r = registry();
        // FSx file systems are not offered in ap-southeast-6 (schemas of the pinned cfn-lint).
        assert_eq!(
            r.in_region("AWS::FSx::FileSystem", "ap-southeast-6"),
            Some(false)
        );
        assert_eq!(r.in_region("AWS::FSx::FileSystem", "us-east-1"), Some(true));
        assert_eq!(r.in_region("AWS::Nope::Nope", "us-east-1"), None);
        let c = r.catalog(Some("ap-southeast-6"));
        assert!(matches!(
            c.lookup("AWS::FSx::FileSystem"),
            Lookup::NotInRegion {
                region: "ap-southeast-6"
            }
        ));
        assert!(matches!(
            r.catalog(None).lookup("AWS::FSx::FileSystem"),
            Lookup::Known(_)
        ));
        // An unknown Region checks against the union.
        assert!(matches!(
            r.catalog(Some("xx-nowhere-1"))
                .lookup("AWS::FSx::FileSystem"),
            Lookup::Known(_)
        ));
        assert_eq!(c.suggest_type("AWS::S3::Buckett"), Some("AWS::S3::Bucket"));
    }
}
