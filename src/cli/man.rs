//! `authspec man`: the man page (roff), generated from the clap definitions.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use super::Cli;
use crate::result::exit;

#[derive(Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    authspec man > /usr/local/share/man/man1/authspec.1\n  \
    authspec man --out-dir /usr/local/share/man/man1   # also authspec-run.1, authspec-client.1, …")]
pub struct ManArgs {
    /// Write authspec.1 and one page per subcommand (authspec-run.1, …) into this directory
    /// instead of printing authspec.1 to stdout.
    #[arg(long = "out-dir")]
    pub out_dir: Option<PathBuf>,
}

pub(super) fn cmd_man(a: ManArgs) -> i32 {
    let cmd = Cli::command();
    let result = match &a.out_dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .and_then(|()| std::io::stdout().lock().write_all(&buf))
        }
        Some(dir) => write_pages(cmd, dir),
    };
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            exit::RUNTIME
        }
    }
}

/// The top page, then one page per visible subcommand, named `authspec-SUB.1`.
fn write_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd;
    // Building sets each subcommand's display name (`authspec-run`) and usage (`authspec run`).
    cmd.build();
    let pages = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help");
    for sub in pages {
        let name = format!("authspec-{}", sub.get_name());
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub.clone())
            .source(format!("authspec {}", env!("CARGO_PKG_VERSION")))
            .render(&mut buf)?;
        std::fs::write(dir.join(format!("{name}.1")), buf)?;
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    std::fs::write(dir.join("authspec.1"), buf)?;
    println!("{}", dir.display());
    Ok(())
}
