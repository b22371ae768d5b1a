//! Terminal behaviour, seen through a pseudo-terminal of a fixed size and a
//! terminal parser (see `tests/common/pty.rs`).

mod common;

use std::time::Duration;

use common::pty::PtyCommand;

#[test]
fn the_harness_shows_the_screen_and_the_exit_code_a_person_would_see() {
    let mut pty = PtyCommand::pipecat(&["cloud", "agent", "--help"], 24, 80).spawn();
    let code = pty.wait_exit(Duration::from_secs(30));
    assert_eq!(code, 0);
    let screen = pty.scrollback_and_screen();
    assert!(screen.contains("Usage: pipecat cloud agent"), "{screen}");
    assert!(
        screen.lines().all(|line| line.chars().count() <= 80),
        "a line wider than the terminal: {screen}"
    );
}
