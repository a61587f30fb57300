//! `pcstack`: synthesize and deploy CloudFormation stacks for ML training clusters.

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pcstack",
    version,
    about = "Stand up AWS infrastructure for ML training clusters from Rust constructs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Yaml,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Build a stack's CloudFormation template and write it to <out>/<stack>.yaml
    Synth {
        /// Config file (YAML); without it, the built-in default (the tutorial's setup)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Built-in stack to synthesize (see `pcstack list`)
        #[arg(long, default_value = stacks::prerequisites::NAME)]
        stack: String,
        /// Directory to write the template to
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value = "yaml")]
        format: FormatArg,
        /// Write nothing; fail with a diff when the file on disk differs from the synthesized template
        #[arg(long)]
        check: bool,
        /// Also list values left to CloudFormation's parameter constraints
        #[arg(long, short)]
        verbose: bool,
    },
    /// List the built-in stacks
    List,
    /// Print the config file's JSON Schema
    Schema,
    /// Write a commented starter config with the built-in defaults
    Init {
        /// Where to write it
        #[arg(long, default_value = "pcstack.yaml")]
        output: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Synth {
            config,
            stack,
            out,
            format,
            check,
            verbose,
        } => {
            let format = match format {
                FormatArg::Yaml => synth::Format::Yaml,
                FormatArg::Json => synth::Format::Json,
            };
            cli::synth(cli::SynthArgs {
                config: config.as_deref(),
                stack: &stack,
                out: &out,
                format,
                check,
                verbose,
            })
            .map(|path| {
                if check {
                    eprintln!("{} is up to date", path.display());
                } else {
                    println!("{}", path.display());
                }
            })
        }
        Command::List => {
            print!("{}", cli::list());
            Ok(())
        }
        Command::Schema => {
            print!("{}", cli::schema());
            Ok(())
        }
        Command::Init { output, force } => {
            cli::init::write(&output, force).map(|()| println!("{}", output.display()))
        }
    };
    if let Err(failure) = result {
        failure.print();
        std::process::exit(failure.code());
    }
}
