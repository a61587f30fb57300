//! What the whole-template checks may know about resource types they did not build: whether a
//! type exists (in the target Region), its properties, required properties and `Fn::GetAtt`
//! attributes. `synth` knows no AWS service, so the facts come in through [`Catalog`]
//! (`plan::registry` implements it from the CloudFormation registry schemas).

/// The facts about one resource type.
#[derive(Debug, Clone, Copy)]
pub struct TypeFacts<'a> {
    /// Every top-level property name.
    pub properties: &'a [&'a str],
    /// The top-level properties the type requires.
    pub required: &'a [&'a str],
    /// The `Fn::GetAtt` attributes (`.`-joined paths, `*` for any list item).
    pub attributes: &'a [&'a str],
}

/// What a catalog knows about a type name.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// The type exists in the target Region (or in some Region, when none is targeted).
    Known(TypeFacts<'a>),
    /// The type exists, but not in the target Region.
    NotInRegion {
        /// The target Region.
        region: &'a str,
    },
    /// The catalog has no such type.
    Unknown,
}

/// Facts about resource types, for [`validate_with`](crate::validate::validate_with).
pub trait Catalog {
    /// What the catalog knows about `type_name`.
    fn lookup(&self, type_name: &str) -> Lookup<'_>;
    /// The known type nearest to an unknown `type_name`, for "did you mean".
    fn suggest_type(&self, type_name: &str) -> Option<&str>;
    /// The registry schema of `type_name`, cut to what a value check reads (see
    /// [`validate`](crate::validate)'s `schema` module); `None` leaves values unchecked.
    fn schema(&self, _type_name: &str) -> Option<&serde_json::Value> {
        None
    }
}

impl TypeFacts<'_> {
    /// Whether `attr` is an attribute `Fn::GetAtt` may read: one of [`Self::attributes`]
    /// (`*` matching any one segment), a path under one (`Outputs.Name` under `Outputs`), or
    /// a path under a top-level property (several types return properties through GetAtt).
    pub fn has_attribute(&self, attr: &str) -> bool {
        let (first, dotted) = match attr.split_once('.') {
            Some((first, _)) => (first, true),
            None => (attr, false),
        };
        // The common cases first, by plain comparison: an attribute's exact name, or a
        // property's.
        if self.attributes.contains(&attr) || (!dotted && self.properties.contains(&attr)) {
            return true;
        }
        // A path under a listed attribute counts only where the schema lists none of the
        // paths under it (`Outputs.X` under `Outputs`, but not `Endpoint.Addrress` beside
        // `Endpoint.Address`).
        let lists_paths_under = |known: &str| {
            self.attributes.iter().any(|a| {
                a.strip_prefix(known)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        // Compared segment by segment without collecting, and only for attributes whose
        // first segment can match (`*`, or the same text).
        let under = |known: &str| {
            let mut given = attr.split('.');
            known
                .split('.')
                .all(|k| given.next().is_some_and(|s| k == "*" || k == s))
        };
        if self
            .attributes
            .iter()
            .filter(|a| a.starts_with(first) || a.starts_with('*'))
            .any(|a| under(a) && (*a == attr || !lists_paths_under(a) || a.contains('*')))
        {
            return true;
        }
        // A path into a property, unless the schema lists the paths under it (then a path
        // it does not list is a typo: `Endpoint.Addrress` beside `Endpoint.Address`).
        self.properties.contains(&first) && !(dotted && lists_paths_under(first))
    }
}

/// Input longer than this is cut before [`closest`] computes any distance (longer than any
/// CloudFormation type, property or attribute name, so a real typo of one is never cut).
pub const MAX_SUGGEST_INPUT: usize = 256;

/// Optimal string alignment distance (insertions, deletions, substitutions, and a swap of
/// neighbours counting as one), ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `max`, else `None`: the table is left as soon as two
/// rows in a row hold nothing within `max` (no later distance can come back under it).
fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // The table's rows i-2, i-1 and i: the distances from a[..i] to each b[..j].
    let mut two = vec![0usize; b.len() + 1];
    let mut one: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0usize; b.len() + 1];
    let mut one_over = false;
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (one[j] + 1).min(row[j - 1] + 1).min(one[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(two[j - 2] + 1);
            }
            row[j] = best;
        }
        // Every entry of a row comes from the two rows above it, at least as large as their
        // smallest: two rows over `max` keep every later one over it.
        let row_over = row.iter().all(|&d| d > max);
        if row_over && one_over {
            return None;
        }
        one_over = row_over;
        // Row i becomes i-1, i-1 becomes i-2; the oldest is written over next.
        std::mem::swap(&mut two, &mut one);
        std::mem::swap(&mut one, &mut row);
    }
    Some(one[b.len()]).filter(|&d| d <= max)
}

/// The candidate closest to `value` (trimmed, ignoring ASCII case) by [`edit_distance`], when it
/// is a plausible typo: at most `max_edits` edits; ties go to the first candidate. The one "did
/// you mean" of the project (names, enum values, Regions, instance types). The work is bounded:
/// `value` is cut to [`MAX_SUGGEST_INPUT`] characters, and a candidate whose length differs from
/// it by more than `max_edits` is skipped without computing a distance, so a hostile
/// 100,000-character name costs a length comparison per candidate.
pub fn closest<'a>(
    value: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max_edits: usize,
) -> Option<&'a str> {
    let value: String = value.trim().chars().take(MAX_SUGGEST_INPUT).collect();
    let length = value.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.chars().count().abs_diff(length) > max_edits {
            continue;
        }
        let Some(d) = distance_within(&value, c, max_edits) else {
            continue;
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The candidate nearest to `name`, when it is near enough to be a typo of it: [`closest`]
/// within a third of the name's length in edits (at least 1, at most 3).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.trim().chars().count() / 3).clamp(1, 3);
    closest(name, candidates, limit)
}

/// `, did you mean "X"?` for the nearest candidate, or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(name, candidates)
        .map(|c| format!("; did you mean {c:?}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("BucketName", "bucketname"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("Fn::GteAtt", "Fn::GetAtt"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("aws:SecureTransport", "Fn::Transform"), 11);
        // Bounded: the same distance when within the bound, nothing past it (also when the
        // table is left early).
        assert_eq!(distance_within("kitten", "sitting", 3), Some(3));
        assert_eq!(distance_within("kitten", "sitting", 2), None);
        assert_eq!(distance_within("Fn::GteAtt", "Fn::GetAtt", 1), Some(1));
        assert_eq!(
            distance_within("aws:SecureTransport", "Fn::Transform", 3),
            None
        );
        assert_eq!(distance_within("abcdefgh", "abcdefgh", 0), Some(0));
        let props = ["BucketName", "Tags", "VersioningConfiguration"];
        assert_eq!(nearest("BucketNme", props), Some("BucketName"));
        assert_eq!(nearest("Tag", props), Some("Tags"));
        assert_eq!(nearest("Versioning", props), None);
        assert_eq!(nearest("Xyz", props), None);
        // Hostile length: every candidate is skipped by its length (this took seconds when
        // each distance was computed).
        let huge = "A".repeat(1_000_000);
        let many: Vec<String> = (0..2_000)
            .map(|i| format!("AWS::Service{i}::Type"))
            .collect();
        assert_eq!(nearest(&huge, many.iter().map(String::as_str)), None);
        assert_eq!(
            did_you_mean("Tagz", props),
            "; did you mean \"Tags\"?".to_string()
        );
    }

    #[test]
    fn closest_is_bounded() {
        let names = ["p5.48xlarge", "g5.8xlarge", "g5.12xlarge"];
        assert_eq!(closest("p5.48xlage", names, 2), Some("p5.48xlarge"));
        assert_eq!(
            closest("p5.84xlarge", names, 1),
            Some("p5.48xlarge"),
            "a swap is one edit"
        );
        assert_eq!(closest(" P5.48XLARGE ", names, 0), Some("p5.48xlarge"));
        assert_eq!(closest("g5.12xlarge", names, 2), Some("g5.12xlarge"));
        assert_eq!(closest("x", names, 2), None, "lengths too far apart");
        assert_eq!(closest("", names, 2), None);
        // A long value is cut first: still no match, and no quadratic work on it.
        let long = "p5.48xlarge".repeat(100_000);
        assert_eq!(closest(&long, names, 2), None);
        // The cut keeps the first characters: a typo'd name with trailing junk past the cut.
        let want = "a".repeat(MAX_SUGGEST_INPUT);
        let given = format!("{want}{}", "b".repeat(1000));
        assert_eq!(closest(&given, [want.as_str()], 0), Some(want.as_str()));
    }

    #[test]
    fn attributes_match_paths_wildcards_and_properties() {
        let facts = TypeFacts {
            properties: &["Name", "Endpoint", "Config"],
            required: &[],
            attributes: &["Arn", "Endpoint.Address", "Outputs", "Items.*.Id"],
        };
        for ok in [
            "Arn",
            "Endpoint.Address",
            "Outputs.VpcId",
            "Items.3.Id",
            "Name",
            "Config.Port",
        ] {
            assert!(facts.has_attribute(ok), "{ok}");
        }
        for bad in [
            "Arm",
            "Address",
            "Items",
            "Nme",
            "Endpoint.Addrress",
            "Endpoint.Port",
        ] {
            assert!(!facts.has_attribute(bad), "{bad}");
        }
    }
}
