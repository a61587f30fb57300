//! `constructs`: AWS knowledge. Generated L1 resource types (`l1`), the rules AWS enforces
//! (`rules`), and hand-written L2 constructs that wire resources together with typed handles.
//! It knows AWS services but no concrete stack: every logical ID comes from the caller.

pub mod rules;
