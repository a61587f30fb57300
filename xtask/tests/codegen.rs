//! The committed `constructs/src/l1/` is exactly what the generator makes from the pinned
//! cfn-lint schemas.
//!
//! Without the workspace venv this test notes the skip and passes, unless
//! `PCSTACK_REQUIRE_SCHEMAS` is set (CI sets it, so it can't silently skip there).

use std::io::Write;
use xtask::codegen::{self, Schemas};

fn schemas_or_skip() -> Option<Schemas> {
    let root = codegen::workspace_root();
    match Schemas::locate(&root) {
        Ok(s) => Some(s),
        Err(e) if std::env::var_os("PCSTACK_REQUIRE_SCHEMAS").is_some() => {
            panic!("PCSTACK_REQUIRE_SCHEMAS is set but the cfn-lint schemas are unavailable: {e}")
        }
        Err(e) => {
            // Written past the test harness's capture so the skip is always visible.
            let _ = writeln!(
                std::io::stderr(),
                "note: skipping the generated-L1 check, the cfn-lint schemas are unavailable \
                 ({e}); set PCSTACK_REQUIRE_SCHEMAS=1 to make this a failure"
            );
            None
        }
    }
}

#[test]
fn committed_l1_matches_the_schemas() {
    let Some(schemas) = schemas_or_skip() else {
        return;
    };
    let root = codegen::workspace_root();
    let files = match codegen::generate(&schemas, &root) {
        Ok(f) => f,
        Err(e) => panic!("generation failed: {e}"),
    };
    for f in &files {
        let committed = std::fs::read_to_string(root.join(&f.path)).unwrap_or_default();
        assert!(
            committed == f.text,
            "{} is stale; run `cargo run -p xtask -- codegen`",
            f.path.display()
        );
    }
    assert_eq!(
        codegen::stale(&root, &files),
        Vec::<std::path::PathBuf>::new()
    );
    // Same input, same bytes.
    assert_eq!(codegen::generate(&schemas, &root).ok(), Some(files));
}
