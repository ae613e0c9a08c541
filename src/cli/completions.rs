//! `authspec completions SHELL`: a completion script generated from the clap definitions.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use crate::result::exit;

#[derive(Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    authspec completions bash > ~/.local/share/bash-completion/completions/authspec\n  \
    authspec completions zsh > \"${fpath[1]}/_authspec\"\n  \
    authspec completions fish > ~/.config/fish/completions/authspec.fish\n  \
    authspec completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(super) fn cmd_completions(a: CompletionsArgs) -> i32 {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(a.shell, &mut cmd, "authspec", &mut out);
    exit::OK
}
