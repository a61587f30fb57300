use super::*;
use crate::code;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::json;

/// A minimal resource type for tests; the real ones are generated in `constructs`.
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Thing {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<Value<i64>>,
}

#[derive(Clone, Copy)]
enum ThingAttr {
    Arn,
}

impl Attribute for ThingAttr {
    const ALL: &'static [&'static str] = &["Arn"];
    fn name(self) -> &'static str {
        match self {
            ThingAttr::Arn => "Arn",
        }
    }
}

impl Resource for Thing {
    const TYPE: &'static str = "Test::Thing";
    type Attr = ThingAttr;
    const CREATE_ONLY: &'static [&'static str] = &["Name"];
    fn check(&self, path: &str, diags: &mut Diagnostics) {
        checks::required(diags, path, Self::TYPE, "Name", &self.name);
        if let Some(size) = &self.size {
            checks::range(diags, path, "Size", size, Some(1), Some(10));
        }
    }
}

fn thing(name: impl Into<Value<String>>) -> Thing {
    Thing {
        name: Some(name.into()),
        size: None,
    }
}

fn errors(s: &Synthesized) -> Vec<String> {
    s.diagnostics
        .errors()
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect()
}

#[test]
fn renders_long_form_intrinsics_in_section_order() {
    let mut t = Template::new("demo");
    t.description = Some("demo".into());
    let p = t.add_parameter(
        "Size",
        Parameter::number().default(2).allowed_values([1, 2]),
    );
    let c = t.add_condition("Big", Expr::equals(Expr::Ref(p.clone()), "2"));
    t.add_mapping("Net", "VPC", "CIDR0", "10.0.0.0/16");
    let a = t.add("A", thing("a"));
    t.add_with(
        "B",
        Thing {
            name: Some(Expr::sub("${A.Arn}-${AWS::Region}").into()),
            size: Some(Expr::Ref(p).into()),
        },
        ResourceOptions::default()
            .condition(&c)
            .depends_on(a.id())
            .retain_policy(Policy::Retain),
    );
    t.add_output(
        "Arn",
        Output::new(a.get_att(ThingAttr::Arn)).export(Expr::sub("${AWS::StackName}-Arn")),
    );
    let s = t.synthesize();
    assert!(errors(&s).is_empty(), "{:?}", errors(&s));
    let keys: Vec<&String> = s.template.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AWSTemplateFormatVersion",
            "Description",
            "Parameters",
            "Mappings",
            "Conditions",
            "Resources",
            "Outputs"
        ]
    );
    assert_eq!(s.template["Resources"]["B"]["DependsOn"], json!("A"));
    assert_eq!(
        s.template["Resources"]["B"]["Properties"]["Name"],
        json!({"Fn::Sub": "${A.Arn}-${AWS::Region}"})
    );
    assert_eq!(
        s.template["Outputs"]["Arn"]["Value"],
        json!({"Fn::GetAtt": ["A", "Arn"]})
    );
    let yaml = s.render(Format::Yaml);
    assert!(
        yaml.contains("Fn::GetAtt:\n      - A\n      - Arn"),
        "{yaml}"
    );
    assert!(yaml.contains("DeletionPolicy: Retain"));
}

#[test]
fn every_intrinsic_renders_in_long_form() {
    let id = LogicalId::new("X").unwrap();
    let mut vars = IndexMap::new();
    vars.insert("V".to_string(), Arg::from("v"));
    let cases: Vec<(Expr, serde_json::Value)> = vec![
        (Expr::Pseudo(Pseudo::Region), json!({"Ref": "AWS::Region"})),
        (
            Expr::sub_with("${V}", vars),
            json!({"Fn::Sub": ["${V}", {"V": "v"}]}),
        ),
        (
            Expr::join("-", vec!["a".into(), "b".into()]),
            json!({"Fn::Join": ["-", ["a", "b"]]}),
        ),
        (
            Expr::select(0, Expr::cidr("10.0.0.0/16", 2, 15)),
            json!({"Fn::Select": [0, {"Fn::Cidr": ["10.0.0.0/16", 2, 15]}]}),
        ),
        (
            Expr::Split {
                delimiter: ",".into(),
                source: "a,b".into(),
            },
            json!({"Fn::Split": [",", "a,b"]}),
        ),
        (
            Expr::GetAZs { region: "".into() },
            json!({"Fn::GetAZs": ""}),
        ),
        (
            Expr::find_in_map("M", "A", "B"),
            json!({"Fn::FindInMap": ["M", "A", "B"]}),
        ),
        (
            Expr::if_(&id, "a", Expr::Pseudo(Pseudo::NoValue)),
            json!({"Fn::If": ["X", "a", {"Ref": "AWS::NoValue"}]}),
        ),
        (
            Expr::And(vec![
                Expr::Condition(id.clone()),
                Expr::Not(Box::new(Expr::Condition(id.clone()))),
            ]),
            json!({"Fn::And": [{"Condition": "X"}, {"Fn::Not": [{"Condition": "X"}]}]}),
        ),
        (
            Expr::Or(vec![Expr::equals("a", "b")]),
            json!({"Fn::Or": [{"Fn::Equals": ["a", "b"]}]}),
        ),
        (
            Expr::ImportValue("exp".into()),
            json!({"Fn::ImportValue": "exp"}),
        ),
        (Expr::Base64("x".into()), json!({"Fn::Base64": "x"})),
        (
            Expr::Contains {
                list: vec!["a"].into(),
                value: "a".into(),
            },
            json!({"Fn::Contains": [["a"], "a"]}),
        ),
    ];
    for (e, want) in cases {
        assert_eq!(e.to_json(), want);
    }
}

#[test]
fn reports_missing_targets_bad_attributes_and_conditions() {
    let mut t = Template::new("demo");
    let a = t.add("A", thing("a"));
    t.add("B", thing(Expr::Ref(LogicalId::new("Nope").unwrap())));
    t.add("C", thing(Expr::get_att(a.id(), "Missing")));
    t.add("D", thing(Expr::sub("${Ghost}-${A.Arn}-${!Literal}")));
    t.add_with(
        "E",
        thing("e"),
        ResourceOptions::default().condition(&LogicalId::new("NoSuch").unwrap()),
    );
    t.add("F", thing(Expr::find_in_map("Absent", "a", "b")));
    let s = t.synthesize();
    assert_eq!(
        errors(&s),
        [
            "E1020 demo/B (Test::Thing).Name.Ref: Ref must name a parameter, resource or pseudo parameter in this template, got \"Nope\"",
            "E1010 demo/C (Test::Thing).Name.Fn::GetAtt: Fn::GetAtt attribute must be one of Arn for A (Test::Thing), got \"Missing\"",
            "E1020 demo/D (Test::Thing).Name.Fn::Sub: Fn::Sub variable must name a parameter, resource or pseudo parameter in this template, got \"Ghost\"",
            "E8002 demo/E (Test::Thing).Condition: condition must be declared in Conditions for this template, got \"NoSuch\"",
            "E1011 demo/F (Test::Thing).Name.Fn::FindInMap: Fn::FindInMap map must be declared in Mappings for this template, got \"Absent\"",
        ]
    );
}

#[test]
fn reports_cycles_and_duplicates_and_bad_ids() {
    let mut t = Template::new("demo");
    let c = LogicalId::new("C").unwrap();
    let b = t.add("B", thing(Expr::Ref(c.clone())));
    t.add("C", thing(b.reference()));
    t.add("A", thing("a"));
    t.add("A", thing("again"));
    t.add("Not-Valid", thing("x"));
    let s = t.synthesize();
    let errs = errors(&s);
    assert!(
        errs.contains(
            &"PC020 demo/Resources/A: logical ID must be unique in the template, got \"A\" twice"
                .to_string()
        ),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("E1001 demo/Resources/Not-Valid: logical ID must match")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("resources must not depend on each other in a cycle")),
        "{errs:?}"
    );
}

#[test]
fn schema_checks_run_when_a_resource_is_added() {
    let mut t = Template::new("demo");
    t.add(
        "A",
        Thing {
            name: None,
            size: Some(11.into()),
        },
    );
    let s = t.synthesize();
    assert_eq!(
        errors(&s),
        [
            "E3003 demo/A (Test::Thing).Name: Name must be set for Test::Thing, got nothing",
            "E3034 demo/A (Test::Thing).Size: Size must be between 1 and 10 for this property, got 11",
        ]
    );
}

#[test]
fn expressions_are_reported_as_unchecked_not_skipped() {
    let mut t = Template::new("demo");
    let p = t.add_parameter("N", Parameter::number());
    t.add(
        "A",
        Thing {
            name: Some("a".into()),
            size: Some(Expr::Ref(p).into()),
        },
    );
    let s = t.synthesize();
    let infos: Vec<_> = s
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Info)
        .collect();
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].message, "Size must be between 1 and 10; it is an expression, so CloudFormation checks it at deploy time");
}

#[test]
fn enforces_section_limits() {
    let mut t = Template::new("demo");
    for i in 0..201 {
        t.add_parameter(&format!("P{i}"), Parameter::string());
    }
    t.add("A", thing("a"));
    let s = t.synthesize();
    assert_eq!(errors(&s), ["E2010 demo/Parameters: Parameters must have at most 200 entries for CloudFormation, got 201"]);
}

#[test]
fn validates_foreign_templates_too() {
    let t = json!({"Resources": {}, "Bogus": 1});
    let d = validate::validate("x", &t, &|_| None);
    let msgs: Vec<_> = d.iter().map(|d| d.message.clone()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].starts_with("top-level key must be one of"));
    assert_eq!(
        msgs[1],
        "Resources must declare at least one resource for CloudFormation, got none"
    );
}

#[test]
fn sub_variables_skip_escapes() {
    assert_eq!(
        validate::sub_variables("a${X}b${!Y}${Z.Arn}"),
        ["X", "Z.Arn"]
    );
    // A `$` alone, `$$`, spaces inside, and an unclosed `${` (which ends the search).
    assert_eq!(
        validate::sub_variables("$5 $${A} ${ B } x$ ${C}${D"),
        ["A", "B", "C"]
    );
    assert!(validate::sub_variables("no variables, $ or {} alone").is_empty());
}

#[test]
fn same_template_same_bytes() {
    let build = || {
        let mut t = Template::new("demo");
        for i in 0..50 {
            t.add(&format!("R{i}"), thing(format!("n{i}")));
        }
        t.synthesize().render(Format::Yaml)
    };
    assert_eq!(build(), build());
}

#[test]
fn property_overrides_replace_the_typed_value() {
    let mut t = Template::new("demo");
    t.add_with(
        "A",
        thing("a"),
        ResourceOptions::default().override_property("Size", serde_json::json!(-1)),
    );
    let s = t.synthesize();
    assert_eq!(
        s.template["Resources"]["A"]["Properties"],
        serde_json::json!({"Name": "a", "Size": -1})
    );
}

#[test]
fn mapping_names_allow_dots_and_dashes_and_say_so() {
    let t = serde_json::json!({"Mappings": {"a.b-c": {"k": {"v": 1}}, "bad_name": {"k": {"v": 1}}}, "Resources": {"A": {"Type": "Test::Thing"}}});
    let d = validate::validate("x", &t, &|_| None);
    let msgs: Vec<_> = d.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        msgs,
        ["name must match ^[A-Za-z0-9.-]{1,255}$ for Mappings, got \"bad_name\""]
    );
}

/// Each cycle is reported once, as the chain that closes it, found from the first resource
/// in template order; repeated references, DependsOn, resources outside the cycle and
/// references to names no resource has change nothing.
#[test]
fn cycles_are_reported_once_as_their_chain() {
    let r = |props: serde_json::Value| json!({"Type": "Test::Thing", "Properties": props});
    let t = json!({
        "Parameters": {"P": {"Type": "String"}},
        "Resources": {
            "D": r(json!({"Name": {"Ref": "A"}})),
            "A": r(json!({"Name": {"Ref": "B"}, "Size": {"Fn::GetAtt": ["B", "Arn"]}})),
            "B": {"Type": "Test::Thing", "DependsOn": ["C", "C"], "Properties": {"Name": {"Ref": "P"}}},
            "C": r(json!({"Name": {"Fn::Sub": "${A.Arn}-${P}-${AWS::Region}"}})),
            "E": r(json!({"Name": {"Ref": "E2"}})),
            "E2": r(json!({"Name": {"Fn::Join": ["", [{"Ref": "E"}, {"Ref": "D"}]]}})),
        }
    });
    let cycles = |d: Diagnostics| -> Vec<String> {
        d.errors()
            .filter(|e| e.code == code::DEPENDENCY_CYCLE)
            .map(|e| {
                e.message
                    .rsplit("got ")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    let expected = ["A -> B -> C -> A", "E -> E2 -> E"];
    assert_eq!(cycles(validate::validate("x", &t, &|_| None)), expected);
}

/// A literal is checked against the pattern, an expression is left to CloudFormation, and a
/// pattern that doesn't compile (hand-written; the generator's all do) says so.
#[test]
fn patterns_check_literals_and_say_what_they_leave() {
    use crate::resource::checks::{pattern, Pattern};
    static WORD: Pattern = Pattern::new("^[a-z]+$");
    static BROKEN: Pattern = Pattern::new("^[a-z+$");
    let check = |p: &Pattern, v: Value<String>| {
        let mut d = Diagnostics::new();
        pattern(&mut d, "R", "Name", &v, p);
        d.iter().map(|d| d.to_string()).collect::<Vec<_>>()
    };
    assert!(check(&WORD, "abc".into()).is_empty());
    assert_eq!(
        check(&WORD, "ABC".into()),
        ["error[E3031] R.Name: Name must match ^[a-z]+$ for this property, got \"ABC\""]
    );
    assert!(check(&WORD, Expr::sub("${AWS::Region}").into())[0].contains("it is an expression"));
    assert!(check(&BROKEN, "abc".into())[0].contains("pcstack can't compile that pattern"));
}
