//! Registry schema -> a small model of what the generated Rust holds: structs with typed
//! fields, the literal checks each field gets, the attributes and the create-only paths.

use heck::ToSnakeCase;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

/// One resource type, ready to emit.
#[derive(Debug)]
pub struct Resource {
    /// `AWS::EC2::VPC`
    pub type_name: String,
    /// `ec2`
    pub service: String,
    /// `VPC`
    pub name: String,
    /// `vpc`
    pub module: String,
    /// The type's page in the CloudFormation template reference.
    pub doc_url: String,
    /// The resource's own properties.
    pub root: Struct,
    /// Property types reachable from the root, in schema order.
    pub defs: Vec<Struct>,
    /// `(variant, GetAtt name, source)`: from readOnlyProperties, then the hand-kept extras.
    pub attrs: Vec<Attr>,
    pub create_only: Vec<CreateOnly>,
    /// What is lost when the resource is replaced or removed (`None`: nothing);
    /// from [`super::HOLDS_DATA`].
    pub holds_data: Option<&'static str>,
    /// Patterns of this resource that regex_lite compiles, in order of first use.
    pub patterns: Vec<String>,
    /// Reference targets this type declares (filled in once every type is built).
    pub markers: Vec<RefTarget>,
}

#[derive(Debug)]
pub struct Attr {
    pub variant: String,
    pub name: String,
    /// Set for attributes the schema omits.
    pub source: Option<&'static str>,
}

#[derive(Debug)]
pub struct CreateOnly {
    pub path: String,
    /// Set for paths the schema omits.
    pub source: Option<&'static str>,
}

#[derive(Debug)]
pub struct Struct {
    pub name: String,
    /// Name used in messages: `AWS::FSx::FileSystem` or `AWS::FSx::FileSystem.LustreConfiguration`.
    pub context: String,
    pub fields: Vec<Field>,
    /// CloudFormation names of required fields, in schema order.
    pub required: Vec<String>,
    /// Every property path that reaches the struct, under `/properties` (`""` for the
    /// resource itself, `LustreConfiguration`, `Tags/*` ...).
    pub paths: Vec<String>,
    /// Where the struct is documented: its reference page, and the prefix of its
    /// properties' anchors on that page (`None` when the page is not known).
    pub doc: DocLink,
}

/// A struct's place in the CloudFormation template reference.
///
/// The reference names pages and anchors by one scheme, all lowercase: a resource's
/// properties are `aws-resource-<service>-<resource>.html#cfn-<service>-<resource>-<property>`,
/// a property type's `aws-properties-<service>-<resource>-<type>.html#cfn-<service>-<resource>-<type>-<property>`.
/// Objects the schema declares inline have no name of their own there, so they link
/// their resource's page.
#[derive(Debug, Clone)]
pub struct DocLink {
    pub page: String,
    pub anchor_prefix: Option<String>,
}

/// Base of the CloudFormation template reference.
const REFERENCE: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference";

impl DocLink {
    /// The page of a resource type.
    fn resource(service: &str, resource: &str) -> DocLink {
        let (s, r) = (service.to_lowercase(), resource.to_lowercase());
        DocLink {
            page: format!("{REFERENCE}/aws-resource-{s}-{r}.html"),
            anchor_prefix: Some(format!("cfn-{s}-{r}-")),
        }
    }

    /// The page of a property type the schema names.
    fn property_type(service: &str, resource: &str, def: &str) -> DocLink {
        let (s, r, d) = (
            service.to_lowercase(),
            resource.to_lowercase(),
            def.to_lowercase(),
        );
        DocLink {
            page: format!("{REFERENCE}/aws-properties-{s}-{r}-{d}.html"),
            anchor_prefix: Some(format!("cfn-{s}-{r}-{d}-")),
        }
    }

    /// Where property `prop` is documented.
    pub fn property(&self, prop: &str) -> String {
        match &self.anchor_prefix {
            Some(prefix) => format!("{}#{prefix}{}", self.page, prop.to_lowercase()),
            None => self.page.clone(),
        }
    }
}

#[derive(Debug)]
pub struct Field {
    pub cfn: String,
    pub rust: String,
    pub ty: Ty,
    pub cons: Cons,
    /// Set when the field (a string, or the items of a list of strings) refers to a
    /// generated type: the field is typed `Ref<marker>` instead of `Value<String>`.
    pub target: Option<RefTarget>,
}

/// What a reference field refers to: one property of one generated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTarget {
    /// `AWS::EC2::VPC`
    pub type_name: String,
    /// `VpcId`: the property referred to.
    pub property: String,
    /// `VpcId`: the marker type declared in the target's module.
    pub marker: String,
    /// `ec2`: the target's service (file).
    pub service: String,
    /// `None` when `Ref` returns the property, else the `Fn::GetAtt` attribute variant.
    pub attribute: Option<String>,
    /// Set when the reference comes from the hand-kept extras, not the schema.
    pub source: Option<&'static str>,
}

/// What the generator knows of every generated type, to type references between them.
#[derive(Debug, Default)]
pub struct Catalog {
    pub types: BTreeMap<String, Referable>,
    /// `(type, property path under /properties, target type, target property, source)`:
    /// references the docs state and the schemas leave out.
    pub extras: Vec<(String, String, String, String, &'static str)>,
}

/// A generated type as a reference target.
#[derive(Debug, Default)]
pub struct Referable {
    /// `VPC`
    pub name: String,
    /// `ec2`
    pub service: String,
    /// The primary identifier when it is one property: what `Ref` returns.
    pub primary: Option<String>,
    /// `Fn::GetAtt` attributes of top-level read-only properties.
    pub attributes: Vec<String>,
}

impl Catalog {
    /// Adds a type from its schema.
    pub fn add(&mut self, type_name: &str, schema: &Json) {
        let props = |key: &str| -> Vec<String> {
            strings(schema.get(key))
                .iter()
                .filter_map(|p| p.strip_prefix("/properties/"))
                .map(str::to_string)
                .collect()
        };
        let primary = match &props("primaryIdentifier")[..] {
            [one] => Some(one.clone()),
            _ => None,
        };
        let parts: Vec<&str> = type_name.split("::").collect();
        self.types.insert(
            type_name.to_string(),
            Referable {
                name: parts.last().copied().unwrap_or_default().to_string(),
                service: parts.get(1).copied().unwrap_or_default().to_lowercase(),
                primary,
                attributes: props("readOnlyProperties")
                    .into_iter()
                    .filter(|p| !p.contains('/'))
                    .collect(),
            },
        );
    }

    /// The target for `(type, property)`, if it is a generated type's primary identifier
    /// or one of its top-level attributes.
    fn target(&self, type_name: &str, property: &str) -> Option<RefTarget> {
        let t = self.types.get(type_name)?;
        let attribute = if t.primary.as_deref() == Some(property) {
            None
        } else if t.attributes.iter().any(|a| a == property) {
            Some(property.to_string())
        } else {
            return None;
        };
        Some(RefTarget {
            type_name: type_name.to_string(),
            property: property.to_string(),
            marker: marker_name(&t.name, property),
            service: t.service.clone(),
            attribute,
            source: None,
        })
    }
}

/// `VPC` + `VpcId` -> `VpcId`; `SecurityGroup` + `Id` -> `SecurityGroupId`.
pub fn marker_name(resource: &str, property: &str) -> String {
    if property
        .to_lowercase()
        .starts_with(&resource.to_lowercase())
    {
        property.to_string()
    } else {
        format!("{resource}{property}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Str,
    Int,
    Num,
    Bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Prim(Prim),
    /// `Value<Vec<Value<P>>>`
    PrimVec(Prim),
    /// A property type; boxed when it (indirectly) contains itself.
    Struct {
        name: String,
        boxed: bool,
    },
    StructVec(String),
    Json,
}

/// Checks on one value. `item` holds the per-item checks of an array of primitives.
#[derive(Debug, Clone, Default)]
pub struct Cons {
    pub one_of: Option<Vec<String>>,
    /// A pattern regex_lite compiles, or one it cannot (`Err`), kept for the comment.
    pub pattern: Option<Result<String, String>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<serde_json::Number>,
    pub maximum: Option<serde_json::Number>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub item: Option<Box<Cons>>,
}

impl Cons {
    /// Reads the keywords of one schema node; `over` wins where both say something.
    fn read(s: &Map<String, Json>) -> Cons {
        let str_list = |v: &Json| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect()
        };
        // Zero lower bounds check nothing; leaving them out gives the shorter message.
        let nonzero = |k: &str| s.get(k).and_then(Json::as_u64).filter(|n| *n > 0);
        let one_of = match (s.get("enum"), s.get("const")) {
            (Some(e), _) => str_list(e),
            (None, Some(Json::String(c))) => Some(vec![c.clone()]),
            _ => None,
        };
        let mut min_length = nonzero("minLength");
        let mut max_length = s.get("maxLength").and_then(Json::as_u64);
        let pattern =
            s.get("pattern")
                .and_then(Json::as_str)
                .map(|p| match unbound_class_repetition(p) {
                    // `^[class]{m,n}$`: one character per repetition, so the bound is a length check.
                    Some((unbounded, m, n)) => {
                        min_length = Some(min_length.map_or(m, |x| x.max(m))).filter(|v| *v > 0);
                        max_length = Some(max_length.map_or(n, |x| x.min(n)));
                        compile_pattern(&unbounded)
                    }
                    None => compile_pattern(
                        &prefix_class_repetition(p).unwrap_or_else(|| p.to_string()),
                    ),
                });
        Cons {
            one_of,
            pattern,
            min_length,
            max_length,
            minimum: s.get("minimum").and_then(|v| v.as_number().cloned()),
            maximum: s.get("maximum").and_then(|v| v.as_number().cloned()),
            min_items: nonzero("minItems"),
            max_items: s.get("maxItems").and_then(Json::as_u64),
            item: None,
        }
    }

    fn overlay(self, over: Cons) -> Cons {
        Cons {
            one_of: over.one_of.or(self.one_of),
            pattern: over.pattern.or(self.pattern),
            min_length: over.min_length.or(self.min_length),
            max_length: over.max_length.or(self.max_length),
            minimum: over.minimum.or(self.minimum),
            maximum: over.maximum.or(self.maximum),
            min_items: over.min_items.or(self.min_items),
            max_items: over.max_items.or(self.max_items),
            item: over.item.or(self.item),
        }
    }

    /// Keeps only the checks that apply to a value of this type.
    fn fit(self, ty: &Ty) -> Cons {
        match ty {
            Ty::Prim(Prim::Str) => Cons {
                one_of: self.one_of,
                pattern: self.pattern,
                min_length: self.min_length,
                max_length: self.max_length,
                ..Cons::default()
            },
            Ty::Prim(Prim::Int | Prim::Num) => Cons {
                minimum: self.minimum,
                maximum: self.maximum,
                ..Cons::default()
            },
            Ty::PrimVec(p) => Cons {
                min_items: self.min_items,
                max_items: self.max_items,
                item: self
                    .item
                    .map(|c| Box::new(c.fit(&Ty::Prim(*p))))
                    .filter(|c| !c.is_empty()),
                ..Cons::default()
            },
            Ty::StructVec(_) => Cons {
                min_items: self.min_items,
                max_items: self.max_items,
                ..Cons::default()
            },
            Ty::Prim(Prim::Bool) | Ty::Struct { .. } | Ty::Json => Cons::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.one_of.is_none()
            && self.pattern.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.item.is_none()
    }
}

/// Large bounded repetitions make a large automaton: `^[^\r\n]{1,4096}$` compiles to 4096
/// copies of the class, which costs more than the rest of a synth. For `^[class]{m,n}$`
/// with a large `n` this returns `^[class]*$` and the bounds, which the caller checks as a
/// length instead: the same rule, since each repetition is one character.
pub(super) fn unbound_class_repetition(p: &str) -> Option<(String, u64, u64)> {
    let body = p.strip_prefix("^[")?.strip_suffix('$')?;
    let (class, rest) = split_class(body)?;
    let (m, n) = rest.strip_prefix('{')?.strip_suffix('}')?.split_once(',')?;
    let (m, n): (u64, u64) = (m.parse().ok()?, n.parse().ok()?);
    (n > 64).then(|| (format!("^[{class}]*$"), m, n))
}

/// `^[class]{m,n}` with a large `n` and no `$`: only a prefix must match, so `m` characters
/// of the class are the whole rule and this returns `^[class]{m}` (same matches, a far
/// smaller automaton; ECR's `ImageTagMutabilityExclusionFilterValue` pattern is one).
pub(super) fn prefix_class_repetition(p: &str) -> Option<String> {
    let body = p.strip_prefix("^[")?;
    if body.ends_with('$') {
        return None;
    }
    let (class, rest) = split_class(body)?;
    let (m, n) = rest.strip_prefix('{')?.strip_suffix('}')?.split_once(',')?;
    let (m, n): (u64, u64) = (m.parse().ok()?, n.parse().ok()?);
    (n > 64 && m <= n).then(|| format!("^[{class}]{{{m}}}"))
}

/// Splits `class]rest` at the class's closing bracket, honouring escapes.
pub(super) fn split_class(s: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ']' if i > 0 => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
    }
    None
}

/// The pattern as regex_lite should get it, or `Err(pattern)` when regex_lite can't
/// compile it (lookarounds, Unicode classes).
///
/// Schema patterns are ECMA-262, where `[` inside a class is a literal; regex_lite rejects
/// it as a nested class, so it is escaped first (same meaning, e.g. the security group
/// description pattern `[...@[\]...]`).
pub(super) fn compile_pattern(p: &str) -> Result<String, String> {
    if regex_lite::Regex::new(p).is_ok() {
        return Ok(p.to_string());
    }
    let mut out = String::with_capacity(p.len() + 4);
    let (mut in_class, mut escaped) = (false, false);
    for c in p.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if in_class => {
                out.push_str("\\[");
                continue;
            }
            '[' => in_class = true,
            ']' => in_class = false,
            _ => {}
        }
        out.push(c);
    }
    match regex_lite::Regex::new(&out) {
        Ok(_) => Ok(out),
        Err(_) => Err(p.to_string()),
    }
}

/// Names a struct may not take inside a generated module: what the module imports or
/// declares besides the property types.
const RESERVED: &[&str] = &[
    "Value",
    "Check",
    "Diagnostics",
    "Resource",
    "Attribute",
    "Option",
    "Vec",
    "String",
    "Box",
    "Default",
    "Self",
];

/// Builds the model of one resource type from its registry schema.
pub fn resource(
    type_name: &str,
    schema: &Json,
    extra_create_only: &[(&'static str, &'static str)],
    extra_attrs: &[(&'static str, &'static str)],
    catalog: &Catalog,
) -> Result<Resource, String> {
    let parts: Vec<&str> = type_name.split("::").collect();
    let [_, service, name] = parts[..] else {
        return Err(format!(
            "{type_name}: expected a name of the form AWS::Service::Resource"
        ));
    };
    let schema = schema
        .as_object()
        .ok_or_else(|| format!("{type_name}: schema is not an object"))?;
    let mut b = Builder::new(type_name, name, schema, catalog)?;
    let read_only = strings(schema.get("readOnlyProperties"));
    b.read_only = read_only.iter().cloned().collect();
    b.collect_paths(None, "/properties", &mut Vec::new());

    let root = b.build_struct(None)?;
    let mut defs = Vec::new();
    for def in b.defs.keys() {
        if b.paths.contains_key(def) {
            defs.push(b.build_struct(Some(def))?);
        }
    }

    let attrs = attributes(type_name, &read_only, extra_attrs)?;
    let create_only = create_only_paths(type_name, schema, extra_create_only)?;
    let patterns = patterns_of(std::iter::once(&root).chain(&defs));

    Ok(Resource {
        type_name: type_name.to_string(),
        service: service.to_lowercase(),
        name: name.to_string(),
        module: name.to_snake_case(),
        doc_url: DocLink::resource(service, name).page,
        root,
        defs,
        attrs,
        create_only,
        holds_data: None,
        patterns,
        markers: Vec::new(),
    })
}

/// The `Fn::GetAtt` attributes: readOnlyProperties, then the hand-kept extras; each must make
/// a distinct enum variant.
fn attributes(
    type_name: &str,
    read_only: &[String],
    extra_attrs: &[(&'static str, &'static str)],
) -> Result<Vec<Attr>, String> {
    let mut attrs = Vec::new();
    for p in read_only {
        let parts: Vec<&str> = p
            .strip_prefix("/properties/")
            .ok_or_else(|| format!("{type_name}: readOnly path {p} is not under /properties"))?
            .split('/')
            .collect();
        let variant = parts.concat();
        if !is_ident(&variant) {
            return Err(format!(
                "{type_name}: readOnly path {p} makes no variant name"
            ));
        }
        attrs.push(Attr {
            variant,
            name: parts.join("."),
            source: None,
        });
    }
    for (attr, source) in extra_attrs {
        if !attrs.iter().any(|a| a.name == *attr) {
            attrs.push(Attr {
                variant: attr.replace('.', ""),
                name: attr.to_string(),
                source: Some(source),
            });
        }
    }
    let mut variants = BTreeSet::new();
    for a in &attrs {
        if !variants.insert(a.variant.clone()) {
            return Err(format!(
                "{type_name}: two attributes map to variant {}",
                a.variant
            ));
        }
    }
    Ok(attrs)
}

/// createOnlyProperties as `/`-separated paths, then the extras the docs add.
fn create_only_paths(
    type_name: &str,
    schema: &serde_json::Map<String, Json>,
    extra_create_only: &[(&'static str, &'static str)],
) -> Result<Vec<CreateOnly>, String> {
    let mut create_only: Vec<CreateOnly> = Vec::new();
    for p in strings(schema.get("createOnlyProperties")) {
        let path = p
            .strip_prefix("/properties/")
            .ok_or_else(|| format!("{type_name}: createOnly path {p} is not under /properties"))?;
        create_only.push(CreateOnly {
            path: path.to_string(),
            source: None,
        });
    }
    for (path, source) in extra_create_only {
        if !create_only.iter().any(|c| c.path == *path) {
            create_only.push(CreateOnly {
                path: path.to_string(),
                source: Some(source),
            });
        }
    }
    Ok(create_only)
}

/// Every compiled pattern of these structs' fields and list items, in order of first use.
fn patterns_of<'a>(structs: impl Iterator<Item = &'a Struct>) -> Vec<String> {
    let mut patterns = Vec::new();
    for s in structs {
        for f in &s.fields {
            let item = f.cons.item.as_deref();
            for c in std::iter::once(&f.cons).chain(item) {
                if let Some(Ok(p)) = &c.pattern {
                    if !patterns.contains(p) {
                        patterns.push(p.clone());
                    }
                }
            }
        }
    }
    patterns
}

/// Gives every referenced type the markers its referrers use, in order of first use, and
/// checks that no marker name takes a name its file or module already has.
pub fn declare_markers(resources: &mut [Resource]) -> Result<(), String> {
    let mut used: Vec<RefTarget> = Vec::new();
    for r in resources.iter() {
        for f in std::iter::once(&r.root)
            .chain(&r.defs)
            .flat_map(|s| &s.fields)
        {
            if let Some(t) = &f.target {
                if !used
                    .iter()
                    .any(|u| u.type_name == t.type_name && u.property == t.property)
                {
                    used.push(RefTarget {
                        source: None,
                        ..t.clone()
                    });
                }
            }
        }
    }
    for t in used {
        let taken = resources.iter().any(|r| {
            r.service == t.service
                && (r.name == t.marker
                    || format!("{}Attr", r.name) == t.marker
                    || r.defs
                        .iter()
                        .any(|d| d.name == t.marker && r.type_name == t.type_name)
                    || r.markers.iter().any(|m| m.marker == t.marker))
        });
        if taken || RESERVED.contains(&t.marker.as_str()) {
            return Err(format!(
                "{}: reference marker {} takes a name already in use",
                t.type_name, t.marker
            ));
        }
        match resources.iter_mut().find(|r| r.type_name == t.type_name) {
            Some(r) => r.markers.push(t),
            None => return Err(format!("{}: referenced but not generated", t.type_name)),
        }
    }
    Ok(())
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

struct Builder<'a> {
    type_name: &'a str,
    catalog: &'a Catalog,
    resource_name: &'a str,
    root: Map<String, Json>,
    /// Definitions, with inline objects hoisted in and oneOf branches merged.
    defs: serde_json::Map<String, Json>,
    /// Definition name -> Rust struct name.
    names: BTreeMap<String, String>,
    read_only: BTreeSet<String>,
    /// Definition name -> every property path that reaches it.
    paths: BTreeMap<String, Vec<String>>,
    /// Definitions hoisted from inline objects: the schema gives them no name.
    hoisted: BTreeSet<String>,
}

impl<'a> Builder<'a> {
    fn new(
        type_name: &'a str,
        resource_name: &'a str,
        schema: &Map<String, Json>,
        catalog: &'a Catalog,
    ) -> Result<Self, String> {
        let mut defs = schema
            .get("definitions")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        let named: BTreeSet<String> = defs.keys().cloned().collect();
        let mut root = schema.clone();
        root.remove("definitions");
        // Hoist inline objects into definitions named after their property, so every
        // object with properties becomes a struct. Newly hoisted ones are visited too.
        hoist(&mut root, &mut defs);
        let mut i = 0;
        while i < defs.len() {
            let (name, mut def) = match defs.iter().nth(i) {
                Some((k, v)) => (k.clone(), v.clone()),
                None => break,
            };
            if let Some(obj) = def.as_object_mut() {
                merge_branches(obj);
                hoist(obj, &mut defs);
            }
            defs.insert(name, def);
            i += 1;
        }

        let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        taken.insert(resource_name.to_string());
        taken.insert(format!("{resource_name}Attr"));
        let mut names = BTreeMap::new();
        let struct_defs: Vec<String> = defs
            .iter()
            .filter(|(_, d)| is_struct(d))
            .map(|(k, _)| k.clone())
            .collect();
        // Verbatim names first, so a suffixed name never takes a verbatim one.
        for k in &struct_defs {
            if !taken.contains(k) && is_ident(k) {
                taken.insert(k.clone());
                names.insert(k.clone(), k.clone());
            }
        }
        for k in &struct_defs {
            if names.contains_key(k) {
                continue;
            }
            let suffixed = format!("{k}Property");
            if taken.contains(&suffixed) || !is_ident(&suffixed) {
                return Err(format!(
                    "{type_name}: definition {k} has no free struct name"
                ));
            }
            taken.insert(suffixed.clone());
            names.insert(k.clone(), suffixed);
        }
        let hoisted = defs
            .keys()
            .filter(|k| !named.contains(*k))
            .cloned()
            .collect();
        Ok(Builder {
            type_name,
            catalog,
            resource_name,
            root,
            defs,
            names,
            read_only: BTreeSet::new(),
            paths: BTreeMap::new(),
            hoisted,
        })
    }

    fn node(&self, def: Option<&str>) -> Option<&Map<String, Json>> {
        match def {
            None => Some(&self.root),
            Some(d) => self.defs.get(d).and_then(Json::as_object),
        }
    }

    fn properties(&self, def: Option<&str>) -> Vec<(String, Json)> {
        self.node(def)
            .and_then(|n| n.get("properties"))
            .and_then(Json::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// Records every path through which each definition is reached, stepping over
    /// read-only properties (they are not inputs).
    fn collect_paths(&mut self, def: Option<&str>, path: &str, stack: &mut Vec<String>) {
        for (prop, schema) in self.properties(def) {
            let p = format!("{path}/{prop}");
            if self.read_only.contains(&p) {
                continue;
            }
            let (target, p) = match self.resolve(&schema).0 {
                Ty::Struct { name, .. } => (name, p),
                Ty::StructVec(name) => (name, format!("{p}/*")),
                _ => continue,
            };
            let Some(d) = self.def_of_struct(&target) else {
                continue;
            };
            self.paths.entry(d.clone()).or_default().push(p.clone());
            if !stack.contains(&d) {
                stack.push(d.clone());
                self.collect_paths(Some(&d), &p, stack);
                stack.pop();
            }
        }
    }

    fn def_of_struct(&self, name: &str) -> Option<String> {
        self.names
            .iter()
            .find(|(_, v)| v.as_str() == name)
            .map(|(k, _)| k.clone())
    }

    fn build_struct(&self, def: Option<&str>) -> Result<Struct, String> {
        let node = self
            .node(def)
            .ok_or_else(|| format!("{}: missing definition {def:?}", self.type_name))?;
        let service = self.type_name.split("::").nth(1).unwrap_or_default();
        let resource_doc = DocLink::resource(service, self.resource_name);
        let (name, context, paths, doc) = match def {
            None => (
                self.resource_name.to_string(),
                self.type_name.to_string(),
                vec!["/properties".to_string()],
                resource_doc,
            ),
            Some(d) => (
                self.names[d].clone(),
                format!("{}.{}", self.type_name, d),
                self.paths.get(d).cloned().unwrap_or_default(),
                if self.hoisted.contains(d) {
                    DocLink {
                        anchor_prefix: None,
                        ..resource_doc
                    }
                } else {
                    DocLink::property_type(service, self.resource_name, d)
                },
            ),
        };
        // A field is left out when it is read-only at every path that reaches the struct.
        let read_only = |prop: &str| {
            !paths.is_empty()
                && paths
                    .iter()
                    .all(|p| self.read_only.contains(&format!("{p}/{prop}")))
        };
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (prop, schema) in self.properties(def) {
            if read_only(&prop) {
                continue;
            }
            let (mut ty, cons) = self.resolve(&schema);
            if let Ty::Struct { name: inner, .. } = &ty {
                let boxed = self.contains(inner, &name, &mut BTreeSet::new());
                ty = Ty::Struct {
                    name: inner.clone(),
                    boxed,
                };
            }
            let rust = field_name(&prop);
            if !rust_names.insert(rust.clone()) {
                return Err(format!(
                    "{}: two properties of {name} map to field {rust}",
                    self.type_name
                ));
            }
            let cons = cons.fit(&ty);
            let target = self.ref_target(&schema, &ty, &paths, &prop);
            fields.push(Field {
                cfn: prop,
                rust,
                ty,
                cons,
                target,
            });
        }
        let required = strings(node.get("required"))
            .into_iter()
            .filter(|r| fields.iter().any(|f| &f.cfn == r))
            .collect();
        let paths = paths
            .iter()
            .map(|p| {
                p.strip_prefix("/properties")
                    .unwrap_or(p)
                    .trim_start_matches('/')
                    .to_string()
            })
            .collect();
        Ok(Struct {
            name,
            context,
            fields,
            required,
            paths,
            doc,
        })
    }

    /// What a string field (or the items of a list of strings) refers to. From the schema:
    /// `relationshipRef` (also inside anyOf/oneOf branches) and cfn-lint's `format`
    /// `<type>.Id` (the type's primary identifier); else from the catalog's extras. A
    /// generated target whose property `Ref` returns wins over `Fn::GetAtt` targets; the
    /// field stays a plain string unless exactly one target is left.
    fn ref_target(
        &self,
        schema: &Json,
        ty: &Ty,
        paths: &[String],
        prop: &str,
    ) -> Option<RefTarget> {
        let (node, suffix) = match ty {
            Ty::Prim(Prim::Str) => (self.deref(schema), ""),
            Ty::PrimVec(Prim::Str) => (self.deref(self.deref(schema).get("items")?), "/*"),
            _ => return None,
        };
        let mut found = Vec::new();
        self.candidates(node, 0, &mut found);
        let mut targets: Vec<RefTarget> = found
            .iter()
            .filter_map(|(t, p)| self.catalog.target(t, p))
            .collect();
        if targets.is_empty() {
            for (t, path, target, property, source) in &self.catalog.extras {
                let applies = t == self.type_name
                    && paths
                        .iter()
                        .any(|p| format!("{p}/{prop}{suffix}") == format!("/properties/{path}"));
                if let Some(found) = applies
                    .then(|| self.catalog.target(target, property))
                    .flatten()
                {
                    targets.push(RefTarget {
                        source: Some(source),
                        ..found
                    });
                }
            }
        }
        if targets.iter().any(|t| t.attribute.is_none()) {
            targets.retain(|t| t.attribute.is_none());
        }
        let mut unique: Vec<RefTarget> = Vec::new();
        for t in targets {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        match &unique[..] {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// A `$ref` to a definition that is no struct, followed; anything else as it is.
    fn deref<'s>(&'s self, s: &'s Json) -> &'s Json {
        let mut s = s;
        for _ in 0..16 {
            match s.get("$ref").and_then(Json::as_str) {
                Some(r) => match r
                    .strip_prefix("#/definitions/")
                    .and_then(|d| self.defs.get(d))
                {
                    Some(def) if !is_struct(def) => s = def,
                    _ => break,
                },
                None => break,
            }
        }
        s
    }

    /// `(type, property)` pairs a schema node says it refers to.
    fn candidates(&self, node: &Json, depth: usize, out: &mut Vec<(String, String)>) {
        if depth > 4 {
            return;
        }
        if let Some(r) = node.get("relationshipRef") {
            let t = r.get("typeName").and_then(Json::as_str);
            let p = r.get("propertyPath").and_then(Json::as_str);
            if let (Some(t), Some(p)) = (t, p.and_then(|p| p.strip_prefix("/properties/"))) {
                out.push((t.to_string(), p.to_string()));
            }
        }
        let format = node.get("format").and_then(Json::as_str);
        if let Some(t) = format.and_then(|f| f.strip_suffix(".Id")) {
            if let Some(p) = self.catalog.types.get(t).and_then(|r| r.primary.clone()) {
                out.push((t.to_string(), p));
            }
        }
        for key in ["anyOf", "oneOf"] {
            for b in node.get(key).and_then(Json::as_array).into_iter().flatten() {
                self.candidates(self.deref(b), depth + 1, out);
            }
        }
    }

    /// Whether struct `from` holds `target` without a `Vec` in between (so `target`
    /// holding `from` would make an infinitely sized type).
    fn contains(&self, from: &str, target: &str, seen: &mut BTreeSet<String>) -> bool {
        if from == target {
            return true;
        }
        if !seen.insert(from.to_string()) {
            return false;
        }
        let Some(d) = self.def_of_struct(from) else {
            return false;
        };
        self.properties(Some(&d))
            .iter()
            .any(|(_, s)| match self.resolve(s).0 {
                Ty::Struct { name, .. } => self.contains(&name, target, seen),
                _ => false,
            })
    }

    /// The Rust type of a schema node and the checks it carries.
    fn resolve(&self, s: &Json) -> (Ty, Cons) {
        self.resolve_depth(s, 0)
    }

    fn resolve_depth(&self, s: &Json, depth: usize) -> (Ty, Cons) {
        let Some(s) = s.as_object() else {
            return (Ty::Json, Cons::default());
        };
        let cons = Cons::read(s);
        if depth > 16 {
            return (Ty::Json, cons);
        }
        if let Some(r) = s.get("$ref").and_then(Json::as_str) {
            let Some(def_name) = r.strip_prefix("#/definitions/") else {
                return (Ty::Json, cons);
            };
            let Some(def) = self.defs.get(def_name) else {
                return (Ty::Json, cons);
            };
            if let Some(n) = self.names.get(def_name) {
                return (
                    Ty::Struct {
                        name: n.clone(),
                        boxed: false,
                    },
                    cons,
                );
            }
            // A definition of a primitive or an array: inline it, with its checks.
            let (ty, inner) = self.resolve_depth(def, depth + 1);
            return (ty, inner.overlay(cons));
        }
        match s.get("type") {
            Some(Json::String(t)) => match t.as_str() {
                "string" => (Ty::Prim(Prim::Str), cons),
                "integer" => (Ty::Prim(Prim::Int), cons),
                "number" => (Ty::Prim(Prim::Num), cons),
                "boolean" => (Ty::Prim(Prim::Bool), cons),
                "array" => {
                    let items = s.get("items").cloned().unwrap_or(Json::Null);
                    let (ity, icons) = self.resolve_depth(&items, depth + 1);
                    match ity {
                        Ty::Prim(p) => (
                            Ty::PrimVec(p),
                            Cons {
                                item: Some(Box::new(icons)),
                                ..cons
                            },
                        ),
                        Ty::Struct { name, .. } => (Ty::StructVec(name), cons),
                        _ => (Ty::Json, cons),
                    }
                }
                // Objects with properties were hoisted into definitions; what is left is
                // free-form.
                _ => (Ty::Json, cons),
            },
            // A list of types (e.g. a policy given as an object or a JSON string).
            Some(_) => (Ty::Json, cons),
            None => {
                // anyOf/oneOf of one primitive type (e.g. formats of a string) is that type.
                let branches = s
                    .get("anyOf")
                    .or_else(|| s.get("oneOf"))
                    .and_then(Json::as_array);
                let Some(branches) = branches else {
                    return (Ty::Json, cons);
                };
                let tys: Vec<Ty> = branches
                    .iter()
                    .map(|b| self.resolve_depth(b, depth + 1).0)
                    .collect();
                match tys.first() {
                    Some(Ty::Prim(p)) if tys.iter().all(|t| *t == Ty::Prim(*p)) => {
                        (Ty::Prim(*p), cons)
                    }
                    _ => (Ty::Json, cons),
                }
            }
        }
    }
}

/// Whether a (normalized) definition becomes a struct: an object with named properties.
fn is_struct(def: &Json) -> bool {
    def.get("properties")
        .and_then(Json::as_object)
        .is_some_and(|p| !p.is_empty())
        && def.get("$ref").is_none()
}

/// A definition that is an object given as oneOf/anyOf alternatives of property sets
/// (e.g. one of two prefix formats) becomes one struct with every alternative's fields.
fn merge_branches(def: &mut Map<String, Json>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Json::Array(branches)) = def.get(key) else {
            continue;
        };
        let props: Vec<(String, Json)> = branches
            .iter()
            .filter_map(|b| b.get("properties").and_then(Json::as_object))
            .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        if props.is_empty() {
            continue;
        }
        let target = def
            .entry("properties")
            .or_insert_with(|| Json::Object(Map::new()));
        if let Some(target) = target.as_object_mut() {
            for (k, v) in props {
                target.entry(k).or_insert(v);
            }
        }
        def.remove(key);
    }
}

/// Moves inline object schemas (with properties) under `node.properties` into `defs`,
/// leaving a `$ref`. Array items are hoisted the same way.
fn hoist(node: &mut Map<String, Json>, defs: &mut Map<String, Json>) {
    let Some(Json::Object(props)) = node.get_mut("properties") else {
        return;
    };
    for (prop, schema) in props.iter_mut() {
        let target = match schema.get("type").and_then(Json::as_str) {
            Some("array") => match schema.get_mut("items") {
                Some(items) => items,
                None => continue,
            },
            _ => schema,
        };
        let inline = target.get("$ref").is_none()
            && (target
                .get("properties")
                .and_then(Json::as_object)
                .is_some_and(|p| !p.is_empty())
                || target.get("oneOf").is_some_and(has_branch_properties));
        if !inline {
            continue;
        }
        let mut name = prop.clone();
        if defs.contains_key(&name) {
            name = format!("{prop}Property");
        }
        let mut n = 2;
        while defs.contains_key(&name) {
            name = format!("{prop}Property{n}");
            n += 1;
        }
        let body = std::mem::replace(
            target,
            serde_json::json!({ "$ref": format!("#/definitions/{name}") }),
        );
        defs.insert(name, body);
    }
}

fn has_branch_properties(branches: &Json) -> bool {
    branches
        .as_array()
        .is_some_and(|bs| bs.iter().any(|b| b.get("properties").is_some()))
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Rust keywords, plus the names the generated impls already use.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "new", "check",
];

/// `CidrBlock` -> `cidr_block`, `Type` -> `type_`.
pub fn field_name(prop: &str) -> String {
    let s = prop.to_snake_case();
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}
