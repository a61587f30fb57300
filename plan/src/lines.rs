//! The template line a diagnostic's path points at, for templates read from a file.
//!
//! `serde_yaml` keeps no positions in the values it builds, so this is a small pass over the
//! text: each path segment is looked up inside the block of the one before (lines indented
//! deeper), a key as `Key:` (or `"Key":`, `'Key':`, `- Key:`), a list index as the n-th
//! `- ` item. It reads block YAML and indented JSON; where the text is written some other way
//! (flow mappings, one-line JSON) it stops at the deepest segment it found, so the line it
//! gives is always that of the value or of one that holds it.

/// Sections a path may start with; anything else is a resource's logical ID.
const SECTIONS: [&str; 9] = [
    "Resources",
    "Outputs",
    "Parameters",
    "Conditions",
    "Mappings",
    "Rules",
    "Metadata",
    "Transform",
    "Description",
];

/// The keys of a resource besides its properties.
const RESOURCE_KEYS: [&str; 10] = [
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Version",
];

/// The segments of a diagnostic path after the stack name: `Resources/X/Properties/Tags/0`,
/// or the walk's `X (AWS::S3::Bucket).Properties.Tags[0].Key` and `Outputs/O.Value`.
pub fn segments(path: &str) -> Vec<String> {
    let rest = path.split_once('/').map_or("", |(_, r)| r);
    let mut cleaned = String::with_capacity(rest.len());
    let mut depth = 0;
    for c in rest.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth > 0 => {}
            _ => cleaned.push(c),
        }
    }
    let mut out: Vec<String> = cleaned
        .split(['/', '.', '[', ']'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if out.first().is_some_and(|s| !SECTIONS.contains(&s.as_str())) {
        out.insert(0, "Resources".to_string());
        // The walk's `X (Type).Name` leaves out `Properties`.
        if out
            .get(2)
            .is_some_and(|s| !RESOURCE_KEYS.contains(&s.as_str()))
        {
            out.insert(2, "Properties".to_string());
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether a line holds no key or item: blank, a comment, or a JSON bracket alone.
fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || matches!(t, "{" | "}" | "}," | "[" | "]" | "],")
}

/// The column a line's content starts at, after any `- ` item markers.
fn content_column(line: &str) -> usize {
    let mut col = indent(line);
    let mut rest = &line[col..];
    while let Some(r) = rest.strip_prefix("- ") {
        let skipped = r.len() - r.trim_start_matches(' ').len();
        col += 2 + skipped;
        rest = &r[skipped..];
    }
    col
}

/// The column of `key` when the line declares it (`key:`, `"key":`, `- key:`).
fn key_at(line: &str, key: &str) -> Option<usize> {
    let col = content_column(line);
    let rest = &line[col..];
    for quote in ["", "\"", "'"] {
        if let Some(after) = rest
            .strip_prefix(quote)
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix(quote))
        {
            if after.trim_start().starts_with(':') {
                return Some(col);
            }
        }
    }
    None
}

/// The 1-based line of `segments` in `text`, as deep as it can follow them. The text is read
/// only as far as the path leads: each segment is looked for from the line of the one before.
pub fn line_of(text: &str, segments: &[String]) -> Option<usize> {
    // Where a line starts in `text` (every line is a slice of it).
    let offset = |l: &str| l.as_ptr() as usize - text.as_ptr() as usize;
    // The block being searched: the lines after line `from` (which starts at byte `at`), or
    // from it for a list item's first key, indented deeper than `parent`.
    let (mut from, mut at, mut parent, mut inclusive): (usize, usize, Option<usize>, bool) =
        (0, 0, None, true);
    let mut found = None;
    for seg in segments {
        let block = text[at..]
            .lines()
            .enumerate()
            .map(|(i, l)| (from + i, l))
            .skip(usize::from(!inclusive))
            .take_while(|&(i, l)| {
                blank(l) || parent.is_none_or(|p| indent(l) > p) || (inclusive && i == from)
            });
        let next = if let Ok(n) = seg.parse::<usize>() {
            // The n-th `- ` item at the block's first item indentation.
            let mut items = block.filter(|(_, l)| !blank(l) && l.trim_start().starts_with('-'));
            let first = items.next();
            let column = first.map(|(_, l)| indent(l));
            first
                .into_iter()
                .chain(items.filter(|(_, l)| Some(indent(l)) == column))
                .nth(n)
                .map(|(i, l)| (i, l, indent(l), true))
        } else {
            // A key at the block's own indentation (not one nested deeper).
            let mut child = None;
            block.filter(|(_, l)| !blank(l)).find_map(|(i, l)| {
                let col = content_column(l);
                if *child.get_or_insert(col) != col {
                    return None;
                }
                key_at(l, seg).map(|col| (i, l, col, false))
            })
        };
        let Some((line, l, col, item)) = next else {
            break;
        };
        found = Some(line + 1);
        from = line;
        at = offset(l);
        parent = Some(col);
        inclusive = item;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      Tags:\n        - Key: Name\n          Value: a\n        - Keey: Team\n          Value: b\nOutputs:\n  VpcId:\n    Value: !Ref Vpc\n";

    #[test]
    fn paths_of_both_forms_become_segments() {
        assert_eq!(
            segments("s/Resources/Vpc/Properties/Tags/1/Keey"),
            ["Resources", "Vpc", "Properties", "Tags", "1", "Keey"]
        );
        assert_eq!(
            segments("s/Vpc (AWS::EC2::VPC).Properties.Tags[1].Value.Ref"),
            [
                "Resources",
                "Vpc",
                "Properties",
                "Tags",
                "1",
                "Value",
                "Ref"
            ]
        );
        assert_eq!(
            segments("s/Vpc (AWS::EC2::VPC).Tags[1].Value.Ref"),
            [
                "Resources",
                "Vpc",
                "Properties",
                "Tags",
                "1",
                "Value",
                "Ref"
            ]
        );
        assert_eq!(
            segments("s/Outputs/VpcId.Value"),
            ["Outputs", "VpcId", "Value"]
        );
    }

    #[test]
    fn lines_of_keys_and_list_items() {
        let at = |p: &str| line_of(YAML, &segments(p));
        assert_eq!(at("s/Resources/Vpc/Properties/Tags/1/Keey"), Some(9));
        assert_eq!(at("s/Resources/Vpc/Properties/Tags/1/Value"), Some(10));
        assert_eq!(at("s/Resources/Vpc/Properties/Tags/0/Value"), Some(8));
        assert_eq!(at("s/Resources/Vpc/Properties/CidrBlock"), Some(5));
        assert_eq!(at("s/Outputs/VpcId.Value.Ref"), Some(13));
        // A segment it cannot follow: the deepest line it found.
        assert_eq!(at("s/Resources/Vpc/Properties/Nope"), Some(4));
        assert_eq!(at("s/Outputs/Nope"), Some(11));
        assert_eq!(at("s"), None);
    }

    #[test]
    fn indented_json_is_read_too() {
        let json = "{\n  \"Resources\": {\n    \"Q\": {\n      \"Type\": \"AWS::SQS::Queue\",\n      \"Properties\": {\n        \"DelaySeconds\": 901\n      }\n    }\n  }\n}\n";
        assert_eq!(
            line_of(json, &segments("s/Resources/Q/Properties/DelaySeconds")),
            Some(6)
        );
    }
}
