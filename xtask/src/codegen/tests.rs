//! Unit tests of the generator on small hand-written schemas.

use super::emit::{field_doc, raw_str};
use super::model::{compile_pattern, field_name, resource, Catalog, Prim, Resource, Ty};
use serde_json::json;

fn model(schema: serde_json::Value) -> Resource {
    match resource("AWS::Test::Thing", &schema, &[], &[], &Catalog::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn field<'a>(r: &'a Resource, strukt: &str, cfn: &str) -> &'a super::model::Field {
    let s = std::iter::once(&r.root)
        .chain(&r.defs)
        .find(|s| s.name == strukt)
        .unwrap_or_else(|| panic!("no struct {strukt}"));
    s.fields
        .iter()
        .find(|f| f.cfn == cfn)
        .unwrap_or_else(|| panic!("no field {cfn} in {strukt}"))
}

#[test]
fn field_names_follow_heck_snake_case() {
    for (cfn, rust) in [
        ("CidrBlock", "cidr_block"),
        ("VpcId", "vpc_id"),
        ("OpenZFSConfiguration", "open_zfs_configuration"),
        ("EnableDnsHostnames", "enable_dns_hostnames"),
        ("S3", "s3"),
        ("PerUnitStorageThroughput", "per_unit_storage_throughput"),
        ("Type", "type_"),
        ("KMSMasterKeyID", "kms_master_key_id"),
    ] {
        assert_eq!(field_name(cfn), rust, "{cfn}");
    }
}

#[test]
fn patterns_regex_lite_cannot_compile_are_reported() {
    assert_eq!(
        compile_pattern("^fs-[0-9a-f]{8,}$"),
        Ok("^fs-[0-9a-f]{8,}$".into())
    );
    // ECMA-262 reads `[` inside a class as a literal; regex_lite needs it escaped.
    assert_eq!(
        compile_pattern("^[a-z@[\\]]*$"),
        Ok("^[a-z@\\[\\]]*$".into())
    );
    assert!(compile_pattern("^(?=.{2,256}$)[a-z]+$").is_err());
    assert!(compile_pattern("^[\\p{L}]*$").is_err());
}

#[test]
fn raw_strings_hold_quotes_and_hashes() {
    assert_eq!(raw_str("a\\d"), "r\"a\\d\"");
    assert_eq!(raw_str("say \"hi\""), "r#\"say \"hi\"\"#");
    assert_eq!(raw_str("\"#"), "r##\"\"#\"##");
}

#[test]
fn types_refs_and_read_only_fields() {
    let r = model(json!({
        "typeName": "AWS::Test::Thing",
        "definitions": {
            "Config": {"type": "object", "properties": {
                "Mode": {"$ref": "#/definitions/Mode"},
                "Id": {"type": "string"}
            }, "required": ["Mode", "Id"]},
            "Mode": {"type": "string", "enum": ["A", "B"]},
            "Thing": {"type": "object", "properties": {"X": {"type": "integer"}}}
        },
        "properties": {
            "Name": {"type": "string", "minLength": 0, "maxLength": 10},
            "Count": {"type": "integer", "minimum": 1},
            "Ratio": {"type": "number", "maximum": 0.5},
            "Ids": {"type": "array", "items": {"type": "string", "pattern": "^i-"}, "maxItems": 3},
            "Config": {"$ref": "#/definitions/Config"},
            "Things": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
            "Policy": {"type": ["object", "string"]},
            "Inline": {"type": "object", "properties": {"On": {"type": "boolean"}}},
            "Arn": {"type": "string"}
        },
        "readOnlyProperties": ["/properties/Arn", "/properties/Config/Id"],
        "createOnlyProperties": ["/properties/Name", "/properties/Config/Mode"]
    }));
    assert_eq!(r.name, "Thing");
    assert_eq!(r.module, "thing");
    let names: Vec<&str> = r.defs.iter().map(|s| s.name.as_str()).collect();
    // The definition named like the resource is suffixed; the inline object is hoisted.
    assert_eq!(names, ["Config", "ThingProperty", "Inline"]);
    let cfn: Vec<&str> = r.root.fields.iter().map(|f| f.cfn.as_str()).collect();
    assert_eq!(
        cfn,
        ["Name", "Count", "Ratio", "Ids", "Config", "Things", "Policy", "Inline"]
    );

    let name = field(&r, "Thing", "Name");
    assert_eq!(name.ty, Ty::Prim(Prim::Str));
    assert_eq!(
        (name.cons.min_length, name.cons.max_length),
        (None, Some(10))
    );
    assert_eq!(field(&r, "Thing", "Count").ty, Ty::Prim(Prim::Int));
    assert_eq!(field(&r, "Thing", "Ratio").ty, Ty::Prim(Prim::Num));
    let ids = field(&r, "Thing", "Ids");
    assert_eq!(ids.ty, Ty::PrimVec(Prim::Str));
    assert_eq!(ids.cons.max_items, Some(3));
    let item = ids.cons.item.as_deref().map(|c| c.pattern.clone());
    assert_eq!(item, Some(Some(Ok("^i-".to_string()))));
    assert_eq!(
        field(&r, "Thing", "Things").ty,
        Ty::StructVec("ThingProperty".into())
    );
    assert_eq!(field(&r, "Thing", "Policy").ty, Ty::Json);

    // A $ref to a string definition is that string, with the definition's enum.
    let mode = field(&r, "Config", "Mode");
    assert_eq!(mode.ty, Ty::Prim(Prim::Str));
    assert_eq!(
        mode.cons.one_of,
        Some(vec!["A".to_string(), "B".to_string()])
    );
    let config = &r.defs[0];
    assert_eq!(config.fields.len(), 1, "read-only Config/Id is left out");
    assert_eq!(config.required, ["Mode"]);

    let attrs: Vec<(&str, &str)> = r
        .attrs
        .iter()
        .map(|a| (a.variant.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(attrs, [("Arn", "Arn"), ("ConfigId", "Config.Id")]);
    let create_only: Vec<&str> = r.create_only.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(create_only, ["Name", "Config/Mode"]);
}

#[test]
fn self_containing_definitions_are_boxed() {
    let r = model(json!({
        "typeName": "AWS::Test::Thing",
        "definitions": {
            "Filter": {"type": "object", "properties": {
                "Not": {"$ref": "#/definitions/Filter"},
                "Any": {"type": "array", "items": {"$ref": "#/definitions/Filter"}}
            }}
        },
        "properties": {"Filter": {"$ref": "#/definitions/Filter"}}
    }));
    assert_eq!(
        field(&r, "Filter", "Not").ty,
        Ty::Struct {
            name: "Filter".into(),
            boxed: true
        }
    );
    assert_eq!(
        field(&r, "Filter", "Any").ty,
        Ty::StructVec("Filter".into())
    );
    assert_eq!(
        field(&r, "Thing", "Filter").ty,
        Ty::Struct {
            name: "Filter".into(),
            boxed: false
        }
    );
}

/// A fake cfn-lint install where every listed type has one string property.
fn fake_install(base: &std::path::Path) -> std::path::PathBuf {
    let schemas = base.join("cfnlint/data/schemas");
    std::fs::create_dir_all(schemas.join("providers")).unwrap();
    std::fs::create_dir_all(schemas.join("resources")).unwrap();
    std::fs::write(base.join("cfnlint/version.py"), "__version__ = \"9.9.9\"\n").unwrap();
    let mut providers = serde_json::Map::new();
    for (i, t) in super::TYPES.iter().enumerate() {
        providers.insert(t.to_string(), json!(format!("h{i}")));
        let schema = json!({"typeName": t, "properties": {"Name": {"type": "string"}}});
        std::fs::write(
            schemas.join(format!("resources/h{i}.json")),
            schema.to_string(),
        )
        .unwrap();
    }
    let providers = serde_json::Value::Object(providers).to_string();
    std::fs::write(schemas.join("providers/us-east-1.json"), &providers).unwrap();
    std::fs::write(schemas.join("providers/eu-west-3.json"), &providers).unwrap();
    std::fs::write(schemas.join("providers/sam.json"), "{}").unwrap();
    schemas
}

#[test]
fn check_and_write_find_stale_and_leftover_files() {
    let base = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let schemas = super::Schemas::at(fake_install(&base)).unwrap();
    assert_eq!(schemas.version, "9.9.9");
    let root = base.join("workspace");
    let files = super::generate(&schemas, &root).unwrap();
    let paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        paths,
        [
            "constructs/src/l1/mod.rs",
            "constructs/src/l1/ec2.rs",
            "constructs/src/l1/fsx.rs",
            "constructs/src/l1/s3.rs",
            "constructs/src/l1/ecr.rs",
            "constructs/src/l1/regions.rs",
            "plan/data/resource-types.tsv",
            "plan/data/resource-schemas.tsv"
        ]
    );
    // The Region list: the providers files that are Region codes, plus EXTRA_REGIONS.
    let regions = &files[5].text;
    assert!(regions.contains("\"us-east-1\""), "{regions}");
    assert!(regions.contains("\"me-south-1\""), "{regions}");
    assert!(regions.contains("\"eu-west-3\""), "{regions}");
    assert!(
        !regions.contains("sam"),
        "sam.json is not a Region: {regions}"
    );
    // The type table: the fake install's two Regions, every type with its property in both.
    let table = &files[6].text;
    assert!(table.starts_with(
        "# @generated by xtask codegen from the CloudFormation registry schemas in cfn-lint 9.9.9"
    ));
    assert!(table.contains("\nR\teu-west-3 us-east-1\n"), "{table}");
    assert!(
        table.contains("\nAWS::S3::Bucket\t3\tName\t\t\n"),
        "{table}"
    );
    // The value schemas: one line per type, the schema cut to the keywords a check reads.
    let values = &files[7].text;
    assert!(
        values.contains("\nAWS::S3::Bucket\t{\"properties\":{\"Name\":{\"type\":\"string\"}}}\n"),
        "{values}"
    );
    assert!(files[1].text.starts_with(
        "// @generated by xtask codegen from the CloudFormation registry schemas in cfn-lint \
         9.9.9 (cfnlint/data/schemas). Do not edit.\n"
    ));
    assert_eq!(super::stale(&root, &files).len(), 8, "nothing written yet");

    assert_eq!(super::write(&root, &files).unwrap().len(), 8);
    assert!(super::stale(&root, &files).is_empty());
    assert!(
        super::write(&root, &files).unwrap().is_empty(),
        "nothing to rewrite"
    );

    let l1 = root.join(super::OUT_DIR);
    std::fs::write(l1.join("ec2.rs"), "edited").unwrap();
    std::fs::write(l1.join("old.rs"), format!("{}\n", super::emit::header("1"))).unwrap();
    std::fs::write(l1.join("tests.rs"), "// hand-written\n").unwrap();
    let stale: Vec<String> = super::stale(&root, &files)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        stale,
        ["constructs/src/l1/ec2.rs", "constructs/src/l1/old.rs"]
    );
    super::write(&root, &files).unwrap();
    assert!(super::stale(&root, &files).is_empty());
    assert!(!l1.join("old.rs").exists());
    assert!(
        l1.join("tests.rs").exists(),
        "hand-written files are left alone"
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn locate_without_a_venv_explains_itself() {
    let err = super::Schemas::locate(std::path::Path::new("/nonexistent-workspace")).unwrap_err();
    assert!(err.contains(".venv/bin/python"), "{err}");
}

#[test]
fn large_class_repetitions_become_length_checks() {
    use super::model::unbound_class_repetition;
    assert_eq!(
        unbound_class_repetition(r"^[^\u0000\u0085\u2028\u2029\r\n]{1,4096}$"),
        Some((r"^[^\u0000\u0085\u2028\u2029\r\n]*$".to_string(), 1, 4096))
    );
    assert_eq!(
        unbound_class_repetition(r"^[0-9]{12}$"),
        None,
        "a fixed count is kept"
    );
    assert_eq!(
        unbound_class_repetition(r"^[0-9a-z]{1,20}$"),
        None,
        "small bounds are kept"
    );
    assert_eq!(
        unbound_class_repetition(r"^[a\]b]{1,200}$"),
        Some((r"^[a\]b]*$".to_string(), 1, 200))
    );
    assert_eq!(unbound_class_repetition(r"^(fs-[0-9a-f]{8,})$"), None);
}

#[test]
fn large_prefix_repetitions_keep_only_the_lower_bound() {
    use super::model::prefix_class_repetition;
    let short = prefix_class_repetition(r"^[0-9a-zA-Z._*-]{1,128}");
    assert_eq!(short.as_deref(), Some(r"^[0-9a-zA-Z._*-]{1}"));
    // The same strings match: a prefix of one class character is all either pattern asks.
    let (long, short) = (
        regex_lite::Regex::new(r"^[0-9a-zA-Z._*-]{1,128}").unwrap(),
        regex_lite::Regex::new(&short.unwrap()).unwrap(),
    );
    for text in [
        "",
        "a",
        "latest",
        "v1.2-*",
        "/x",
        " a",
        "a b",
        &"x".repeat(300),
    ] {
        assert_eq!(long.is_match(text), short.is_match(text), "{text:?}");
    }
    assert_eq!(
        prefix_class_repetition(r"^[0-9a-z]{1,128}$"),
        None,
        "an anchored end is a length check's job"
    );
    assert_eq!(
        prefix_class_repetition(r"^[0-9a-z]{1,20}"),
        None,
        "small bounds are kept"
    );
}

#[test]
fn reference_fields_are_typed_by_their_target() {
    let mut catalog = Catalog::default();
    catalog.add(
        "AWS::Test::Net",
        &json!({
            "primaryIdentifier": ["/properties/NetId"],
            "readOnlyProperties": ["/properties/NetId", "/properties/Arn"]
        }),
    );
    catalog.add(
        "AWS::Test::Group",
        &json!({
            "primaryIdentifier": ["/properties/Id"],
            "readOnlyProperties": ["/properties/Id", "/properties/GroupId"]
        }),
    );
    catalog.extras.push((
        "AWS::Test::Thing".into(),
        "Config/Net".into(),
        "AWS::Test::Net".into(),
        "Arn".into(),
        "https://example.com/docs",
    ));
    let schema = json!({
        "typeName": "AWS::Test::Thing",
        "definitions": {"Config": {"type": "object", "properties": {"Net": {"type": "string"}}}},
        "properties": {
            // cfn-lint's format: the target's primary identifier.
            "NetId": {"type": "string", "format": "AWS::Test::Net.Id"},
            // relationshipRef in anyOf branches: the one `Ref` returns wins.
            "GroupIds": {"type": "array", "items": {"type": "string", "anyOf": [
                {"relationshipRef": {"typeName": "AWS::Test::Group", "propertyPath": "/properties/GroupId"}},
                {"relationshipRef": {"typeName": "AWS::Test::Group", "propertyPath": "/properties/Id"}}
            ]}},
            "NetArn": {"type": "string", "relationshipRef": {"typeName": "AWS::Test::Net", "propertyPath": "/properties/Arn"}},
            // Not a generated type: stays a string.
            "KeyId": {"type": "string", "format": "AWS::KMS::Key.Id"},
            "Config": {"$ref": "#/definitions/Config"}
        }
    });
    let r = match resource("AWS::Test::Thing", &schema, &[], &[], &catalog) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let target = |s: &str, f: &str| {
        field(&r, s, f)
            .target
            .as_ref()
            .map(|t| (t.marker.as_str(), t.attribute.as_deref(), t.source))
    };
    assert_eq!(target("Thing", "NetId"), Some(("NetId", None, None)));
    assert_eq!(target("Thing", "GroupIds"), Some(("GroupId", None, None)));
    assert_eq!(
        target("Thing", "NetArn"),
        Some(("NetArn", Some("Arn"), None))
    );
    assert_eq!(target("Thing", "KeyId"), None);
    assert_eq!(
        target("Config", "Net"),
        Some(("NetArn", Some("Arn"), Some("https://example.com/docs")))
    );
    assert_eq!(field(&r, "Thing", "GroupIds").ty, Ty::PrimVec(Prim::Str));
}

#[test]
fn field_docs_link_the_reference_and_state_the_schema() {
    let r = model(json!({
        "typeName": "AWS::Test::Thing",
        "properties": {
            "Mode": {"type": "string", "enum": ["A", "B"]},
            "Size": {"type": "integer", "minimum": 1, "maximum": 10},
            "Config": {"$ref": "#/definitions/Config"},
            "Inline": {"type": "object", "properties": {"Flag": {"type": "boolean"}}}
        },
        "definitions": {
            "Config": {
                "type": "object",
                "properties": {
                    "Kind": {"type": "string", "maxLength": 5},
                    "Names": {"type": "array", "maxItems": 3, "items": {"type": "string"}}
                },
                "required": ["Kind"]
            }
        },
        "required": ["Mode"],
        "createOnlyProperties": ["/properties/Mode", "/properties/Config/Kind"]
    }));
    let doc = |strukt: &str, cfn: &str| {
        let s = std::iter::once(&r.root)
            .chain(&r.defs)
            .find(|s| s.name == strukt)
            .unwrap_or_else(|| panic!("no struct {strukt}"));
        field_doc(s, field(&r, strukt, cfn), &r)
    };
    let base = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference";
    assert_eq!(
        doc("Thing", "Mode"),
        format!(
            "/// [`Mode`]({base}/aws-resource-test-thing.html#cfn-test-thing-mode).\n\
             /// Required. Create-only: changing it replaces the resource. One of `A`, `B`.\n"
        )
    );
    assert_eq!(
        doc("Thing", "Size"),
        format!("/// [`Size`]({base}/aws-resource-test-thing.html#cfn-test-thing-size).\n/// From 1 to 10.\n")
    );
    assert_eq!(
        doc("Config", "Kind"),
        format!(
            "/// [`Kind`]({base}/aws-properties-test-thing-config.html#cfn-test-thing-config-kind).\n\
             /// Required. Create-only: changing it replaces the resource. At most 5 characters.\n"
        )
    );
    assert_eq!(
        doc("Config", "Names"),
        format!(
            "/// [`Names`]({base}/aws-properties-test-thing-config.html#cfn-test-thing-config-names).\n\
             /// At most 3 items.\n"
        )
    );
    // An object the schema declares inline has no page of its own: link the resource's.
    assert_eq!(
        doc("Inline", "Flag"),
        format!("/// [`Flag`]({base}/aws-resource-test-thing.html).\n")
    );
}

#[test]
fn value_schemas_keep_only_what_a_check_reads() {
    let schema = json!({
        "typeName": "AWS::X::Y",
        "description": "dropped",
        "handlers": {"create": {"permissions": ["x:Create"]}},
        "properties": {
            "Description": {"type": "string", "description": "a property named like a keyword stays"},
            "Size": {"type": "integer", "minimum": 1, "examples": [2]}
        },
        "definitions": {"Tag": {"type": "object", "additionalProperties": false, "required": ["Key"]}},
        "required": ["Size"]
    });
    assert_eq!(
        super::values::strip(&schema),
        json!({
            "properties": {"Description": {"type": "string"}, "Size": {"type": "integer", "minimum": 1}},
            "definitions": {"Tag": {"type": "object", "additionalProperties": false, "required": ["Key"]}},
            "required": ["Size"]
        })
    );
}
