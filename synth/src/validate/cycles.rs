//! Dependency cycles among resources.

use super::{Fast, Validator};
use crate::code;
use indexmap::IndexMap;

impl Validator<'_> {
    /// Reports each dependency cycle once, as the chain of resources that forms it.
    pub(super) fn cycles(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        // The graph as adjacency lists in one array (`targets[starts[n]..starts[n + 1]]`),
        // each node's targets in the order first found, repeats dropped; an edge to a
        // resource that was not walked (left to a transform) leads nowhere.
        let index: IndexMap<&str, usize, Fast> = self
            .walked
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut pairs: Vec<(usize, usize)> = self
            .edges
            .iter()
            .filter_map(|(from, to)| Some((*index.get(from)?, *index.get(to)?)))
            .collect();
        // A stable sort: each node's targets stay in the order they were found.
        pairs.sort_by_key(|&(from, _)| from);
        let n = self.walked.len();
        let mut starts = vec![0; n + 1];
        let mut targets: Vec<usize> = Vec::with_capacity(pairs.len());
        let mut pairs = pairs.into_iter().peekable();
        for node in 0..n {
            starts[node] = targets.len();
            while let Some((_, to)) = pairs.next_if(|&(from, _)| from == node) {
                if !targets[starts[node]..].contains(&to) {
                    targets.push(to);
                }
            }
        }
        starts[n] = targets.len();
        let mut mark = vec![Mark::New; n];
        let mut found = Vec::new();
        for start in 0..n {
            if mark[start] != Mark::New {
                continue;
            }
            // Iterative DFS keeping the current chain, so a cycle can be printed.
            let mut stack: Vec<(usize, usize)> = vec![(start, starts[start])];
            mark[start] = Mark::Open;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if *next < starts[node + 1] {
                    let t = targets[*next];
                    *next += 1;
                    match mark[t] {
                        Mark::New => {
                            mark[t] = Mark::Open;
                            stack.push((t, starts[t]));
                        }
                        Mark::Open => {
                            let pos = stack.iter().position(|(n, _)| *n == t).unwrap_or(0);
                            let mut chain: Vec<&str> =
                                stack[pos..].iter().map(|(n, _)| self.walked[*n]).collect();
                            chain.push(self.walked[t]);
                            found.push(chain.join(" -> "));
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
        for chain in found {
            self.error(code::DEPENDENCY_CYCLE, "Resources".into(), format!("resources must not depend on each other in a cycle for CloudFormation, got {chain}"));
        }
    }
}
