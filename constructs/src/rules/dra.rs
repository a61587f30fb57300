//! FSx for Lustre data repository association rules.

use super::{RuleResult, Violation};
use synth::Code;

/// The diagnostic codes of the data repository association rules.
pub mod code {
    synth::codes! {
        ASSOCIATION_COUNT = "PC121", "a Lustre file system has more data repository associations than FSx allows";
        ASSOCIATION_FILE_SYSTEM_PATH = "PC122", "an association's file system path is not one FSx accepts";
        ASSOCIATION_DATA_REPOSITORY_PATH = "PC123", "an association's data repository path is not s3://bucket/prefix/ of an allowed length";
        ASSOCIATION_EVENTS = "PC124", "an association's import or export events are unknown or repeated";
        ASSOCIATION_PATHS_NEST = "PC125", "two associations' file system paths are equal or nest";
        ASSOCIATION_PREFIXES_NEST = "PC126", "two associations' data repository paths are equal or nest";
    }
}

/// At most 8 data repository associations per file system.
/// Source: FSx API `CreateDataRepositoryAssociation`; FSx for Lustre guide create-dra-linked-data-repo.html.
pub const MAX_ASSOCIATIONS: usize = 8;

/// The events an auto-import or auto-export policy may list.
/// Source: `AWS::FSx::DataRepositoryAssociation` schema, `EventType` enum (cfn-lint schema a5d95227915ba111).
pub const EVENTS: [&str; 3] = ["NEW", "CHANGED", "DELETED"];

/// See [`MAX_ASSOCIATIONS`].
pub fn association_count(count: usize) -> RuleResult {
    if count <= MAX_ASSOCIATIONS {
        Ok(())
    } else {
        Err(Violation::new(
            code::ASSOCIATION_COUNT,
            "associations",
            &format!("have at most {MAX_ASSOCIATIONS} entries"),
            "one Lustre file system",
            count,
        ))
    }
}

/// `FileSystemPath`: starts with `/`, 1 to 4096 characters, no control line breaks.
/// Source: FSx API `CreateDataRepositoryAssociation` FileSystemPath; schema pattern
/// `^[^\u0000\u0085\u2028\u2029\r\n]{1,4096}$`.
pub fn file_system_path(path: &str) -> RuleResult {
    let bad = |rule: &str| {
        Err(Violation::new(
            code::ASSOCIATION_FILE_SYSTEM_PATH,
            "FileSystemPath",
            rule,
            "a data repository association",
            format!("{path:?}"),
        ))
    };
    if !path.starts_with('/') {
        return bad("start with /");
    }
    if path.chars().count() > 4096
        || path
            .chars()
            .any(|c| matches!(c, '\0' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\r' | '\n'))
    {
        return bad("be at most 4096 characters without NUL or line breaks");
    }
    Ok(())
}

/// `DataRepositoryPath`: `s3://bucket/prefix/`, 3 to 4357 characters.
/// Source: FSx API `CreateDataRepositoryAssociation` DataRepositoryPath.
pub fn data_repository_path(path: &str) -> RuleResult {
    let ok = path.starts_with("s3://")
        && path.len() > 5
        && path.chars().count() <= 4357
        && !path.contains(['\r', '\n', '\0']);
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            code::ASSOCIATION_DATA_REPOSITORY_PATH,
            "DataRepositoryPath",
            "be s3://bucket/prefix/ of at most 4357 characters",
            "a data repository association",
            format!("{path:?}"),
        ))
    }
}

/// Auto-import and auto-export events: each of NEW, CHANGED, DELETED at most once.
/// Source: see [`EVENTS`]; the schema marks the list `uniqueItems`, at most 3.
pub fn events(field: &str, events: &[String]) -> RuleResult {
    for (i, e) in events.iter().enumerate() {
        if !EVENTS.contains(&e.as_str()) {
            return Err(Violation::new(
                code::ASSOCIATION_EVENTS,
                field,
                "list only NEW, CHANGED or DELETED",
                "a data repository association",
                format!("{e:?}"),
            ));
        }
        if events[..i].contains(e) {
            return Err(Violation::new(
                code::ASSOCIATION_EVENTS,
                field,
                "list each event once",
                "a data repository association",
                format!("{e:?} twice"),
            ));
        }
    }
    Ok(())
}

/// Whether directory `inner` is `outer` or lies under it (`/a/b/` in `/a/`, `/a` in `/a/`;
/// everything in `/`). Trailing slashes don't count.
fn within(inner: &str, outer: &str) -> bool {
    let (inner, outer) = (inner.trim_end_matches('/'), outer.trim_end_matches('/'));
    inner.starts_with(outer)
        && (inner.len() == outer.len() || inner.as_bytes()[outer.len()] == b'/')
}

/// File system paths must be unique and not nested (`/ns1/` blocks `/ns1/ns2`); `/` only alone.
/// Source: FSx for Lustre guide create-dra-linked-data-repo.html; FSx API FileSystemPath.
pub fn file_system_paths_disjoint(paths: &[&str]) -> RuleResult {
    pairwise(
        paths,
        "FileSystemPath",
        "not equal or contain another association's path",
        "the data repository associations of one file system",
        code::ASSOCIATION_PATHS_NEST,
    )
}

/// Data repository paths must be unique and not overlap (`s3://b/p/` blocks `s3://b/p/sub`).
/// Source: FSx for Lustre guide create-dra-linked-data-repo.html; FSx API DataRepositoryPath.
pub fn data_repository_paths_disjoint(paths: &[&str]) -> RuleResult {
    pairwise(
        paths,
        "DataRepositoryPath",
        "not equal or contain another association's path",
        "the data repository associations of one file system",
        code::ASSOCIATION_PREFIXES_NEST,
    )
}

fn pairwise(paths: &[&str], field: &str, rule: &str, context: &str, code: Code) -> RuleResult {
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[..i] {
            if within(a, b) || within(b, a) {
                return Err(Violation::new(
                    code,
                    field,
                    rule,
                    context,
                    format!("{b:?} and {a:?}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: RuleResult) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn count() {
        assert!(association_count(8).is_ok());
        assert_eq!(
            msg(association_count(9)),
            "associations must have at most 8 entries for one Lustre file system, got 9"
        );
    }

    #[test]
    fn paths() {
        assert!(file_system_path("/data").is_ok());
        assert_eq!(
            msg(file_system_path("data")),
            "FileSystemPath must start with / for a data repository association, got \"data\""
        );
        assert!(file_system_path("/a\nb").is_err());
        assert!(data_repository_path("s3://bucket/data/").is_ok());
        assert_eq!(
            msg(data_repository_path("bucket/data")),
            "DataRepositoryPath must be s3://bucket/prefix/ of at most 4357 characters for a data repository association, got \"bucket/data\""
        );
    }

    #[test]
    fn event_lists() {
        assert!(events(
            "AutoImportPolicy",
            &["NEW".into(), "CHANGED".into(), "DELETED".into()]
        )
        .is_ok());
        assert_eq!(
            msg(events("AutoExportPolicy", &["NEW".into(), "MOVED".into()])),
            "AutoExportPolicy must list only NEW, CHANGED or DELETED for a data repository association, got \"MOVED\""
        );
        assert_eq!(
            msg(events("AutoImportPolicy", &["NEW".into(), "NEW".into()])),
            "AutoImportPolicy must list each event once for a data repository association, got \"NEW\" twice"
        );
    }

    #[test]
    fn overlaps() {
        assert!(file_system_paths_disjoint(&[
            "/data",
            "/checkpoints",
            "/logs",
            "/results",
            "/data2"
        ])
        .is_ok());
        assert_eq!(
            msg(file_system_paths_disjoint(&["/ns1/", "/ns1/ns2"])),
            "FileSystemPath must not equal or contain another association's path for the data repository associations of one file system, got \"/ns1/\" and \"/ns1/ns2\""
        );
        assert!(file_system_paths_disjoint(&["/", "/data"]).is_err());
        assert!(file_system_paths_disjoint(&["/data", "/data/"]).is_err());
        assert!(data_repository_paths_disjoint(&["s3://b/p/", "s3://b/p/sub"]).is_err());
        assert!(data_repository_paths_disjoint(&["s3://b/p/", "s3://b/pq/"]).is_ok());
    }
}
