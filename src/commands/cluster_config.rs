//! `pcstack cluster-config --stack-name`: the config and `--out` are checked before any AWS
//! call; the outputs are the deployed stack's.

use crate::cli::{self, args::ClusterConfigArgs, cluster_config as cc};
use crate::deploy::{aws::Aws, waiting::Watch};
use crate::error::{Error, NotDone};

pub async fn run(args: ClusterConfigArgs, watch: &Watch) -> Result<(), Error> {
    let name = args.stack_name.as_deref().unwrap_or_default();
    cc::check_out(args.out.as_deref())?;
    let config = cc::load(&args.stack, args.config.as_deref())?;
    let aws = Aws::connect(&args.aws.connection(&config)?, watch).await?;
    let outputs = crate::deploy::run::fetch_outputs(&aws, name, None).await?;
    // The cluster's instance types and reservations against the stack's zone, before writing.
    let needs = config.stack().and_then(stacks::Configured::cluster_needs);
    if let (Some(zone), Some(needs)) = (
        outputs.value_of(crate::deploy::outputs::ZONE_VARIABLE),
        &needs,
    ) {
        crate::deploy::placement::check_in_zone(&aws, zone, needs, &|line| cli::eprint_line(line))
            .await?;
    }
    // Refused after reading the stack: nothing was written.
    let text = cc::generate(&config, &outputs.json(), &format!("stack {name}"))
        .map_err(|e| e.settled(NotDone::Written))?;
    cc::write(&text, args.out.as_deref())?;
    if let Some(out) = &args.out {
        cli::eprint_line(&format!("wrote {}", out.display()));
    }
    Ok(())
}
