//! Links the `pcstack` executable as a position-dependent (non-PIE) executable on Linux with
//! glibc, for start-up time.
//!
//! With the AWS SDK linked in, a position-independent `pcstack` carries about 50,000 relative
//! relocations (vtables, string tables, ...) that the dynamic loader applies at every start,
//! touching and copying every page they sit on: about 1.7 ms, more than half of a whole
//! `pcstack synth` (measured with callgrind and hyperfine; see bench/compare/README.md). A
//! non-PIE executable has those addresses fixed at link time, so it starts with almost none.
//!
//! What it costs: the executable's own code and data load at a fixed address (shared
//! libraries, stack, heap and mmap regions are still randomized). `pcstack` reads no
//! untrusted network input outside the AWS SDK's TLS connections; if you want full ASLR
//! anyway, build with `PCSTACK_PIE=1` and the toolchain's default (PIE) is kept.
//!
//! The packed relative relocations of newer toolchains (`-z pack-relative-relocs`, DT_RELR)
//! would keep PIE, but need glibc 2.36 or later where pcstack runs (Amazon Linux 2023 and
//! Ubuntu 22.04, common ParallelCluster hosts, have 2.34 and 2.35), so they are not used.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PCSTACK_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let keep_pie = std::env::var_os("PCSTACK_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if linux_gnu && !keep_pie {
        // Only the executables: test harnesses and build scripts keep the default.
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
