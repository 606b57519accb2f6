//! `kdrepro man [COMMAND]`: the man page of kdrepro or of one subcommand (`clap_mangen`), with the exit codes as the
//! usual EXIT STATUS section.

use std::io::Write;

use clap::CommandFactory;

use super::Failure;
use super::args::{Cli, EXIT_CODES};
use super::console::stdout;

/// Prints the page of `command` (a subcommand's name), or kdrepro's own.
pub(crate) fn man(command: Option<&str>) -> Result<(), Failure> {
    let mut root = Cli::command();
    // Global flags (`-q`, `-v`, `--color`) reach the subcommands' pages.
    root.build();
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let names: Vec<&str> = root.get_subcommands().map(clap::Command::get_name).collect();
                eprintln!("error: no subcommand `{name}`; the pages are of: {}", names.join(", "));
                return Err(Failure::Spec);
            };
            sub.clone().name(format!("kdrepro-{name}")).bin_name(format!("kdrepro {name}"))
        }
    };
    let mut roff = Vec::new();
    let versioned = page.get_version().is_some();
    render(&clap_mangen::Man::new(page), versioned, &mut roff)
        .map_err(|e| Failure::Runtime(format!("cannot render the man page: {e}")))?;
    stdout(&roff)
}

/// The page's sections: clap_mangen's, with EXIT STATUS in place of the help's epilogue, and VERSION if the
/// command has one (kdrepro's own page).
fn render(man: &clap_mangen::Man, versioned: bool, out: &mut Vec<u8>) -> std::io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    // EXIT_CODES: a heading, then `  N  meaning` lines, continued by lines indented further.
    for line in EXIT_CODES.lines().skip(1) {
        match line.trim_start().split_once("  ") {
            Some((code, meaning)) if code.parse::<u8>().is_ok() => {
                writeln!(out, ".TP\n\\fB{code}\\fR\n{}", escape(meaning.trim()))?;
            }
            _ => writeln!(out, "{}", escape(line.trim()))?,
        }
    }
    if versioned {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// Text safe in roff: a backslash doubled, a leading `.` or `'` guarded.
fn escape(text: &str) -> String {
    let text = text.replace('\\', "\\\\");
    if text.starts_with(['.', '\'']) { format!("\\&{text}") } else { text }
}
