//! `authspec demo`: the mock client walks the MCP authorization flow and narrates it.

use super::*;
#[allow(clippy::wildcard_imports)]
use crate::plan::{Planned, TargetPlan};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The MCP endpoint to walk; without it, an in-process reference server.
    #[arg(long)]
    pub target: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Against the reference server: its consent mode (form needs --authorize form --login …).
    #[arg(long, value_enum, default_value = "auto")]
    pub consent: ConsentArg,
    /// The MCP revision whose flow (and wire model) to walk.
    #[arg(long, value_enum, default_value = "2026-07-28")]
    pub spec: SpecArg,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

pub(super) async fn cmd_demo(a: DemoArgs) -> i32 {
    let auth = or_usage!(auth_options(&a.auth).await);
    let spec = SpecRevision::from(a.spec);
    let plan = TargetPlan {
        target: a.target.clone(),
        reference: Config {
            consent: a.consent.into(),
            ..Config::default()
        },
        spec,
        timeout: Duration::from_secs(a.timeout),
        auth,
        jobs: 1,
        ..TargetPlan::default()
    };
    let Planned { ctx, server, .. } = match plan.build().await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}", e.message);
            return e.code;
        }
    };
    let target = ctx.target.clone();
    println!(
        "{} the MCP {spec} authorization flow against {target}\n",
        "authspec demo:".bold()
    );
    let steps = crate::demo::walk(&ctx).await;
    let all_ok = steps.iter().all(|s| s.ok) && steps.len() == 9;
    // Discovery results are shared between steps; show each exchange once, where it happened.
    let mut shown: Vec<(String, String, String, Option<u16>)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let mark = if s.ok {
            "✔".green().to_string()
        } else {
            "✘".red().bold().to_string()
        };
        println!("{:>2}. {} {}", i + 1, mark, s.title.bold());
        for ex in &s.exchanges {
            let key = (
                ex.block.clone(),
                ex.method.clone(),
                ex.url.clone(),
                ex.status,
            );
            if shown.contains(&key) {
                continue;
            }
            shown.push(key);
            let status = ex
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| ex.error.clone().unwrap_or_default());
            println!("      {} {} → {}", ex.method, ex.url, status);
        }
        println!("      {}", s.detail);
        if s.ok {
            println!("      {} {}", "proves:".dimmed(), s.proves);
        }
        println!();
    }
    if let Some(s) = server {
        s.shutdown().await;
    }
    if all_ok {
        println!(
            "{}",
            "The flow completed: every step behaved as MCP authorization requires.".green()
        );
        exit::OK
    } else {
        println!("{}", "The flow stopped at the step marked ✘.".red());
        exit::NONCONFORMANT
    }
}
