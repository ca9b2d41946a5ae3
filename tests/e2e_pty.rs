#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The real binary in a pseudo-terminal: type, move sliders, open and close popups, resize, quit,
//! and check that the terminal is handed back (alternate screen left, mouse released).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        Session::start_with(args, &[])
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_fitcheck"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let cfg = std::env::temp_dir().join(format!("fitcheck-e2e-{}", std::process::id()));
        std::fs::create_dir_all(&cfg).unwrap();
        cmd.env("FITCHECK_CONFIG_DIR", cfg);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s2, r2) = (Arc::clone(&screen), Arc::clone(&raw));
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s2.lock().unwrap().process(&buf[..n]);
                r2.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            screen,
            raw,
            writer,
            master: pair.master,
            child,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.contents().contains(text) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "timed out waiting for {text:?}; screen:\n{}",
            self.contents()
        );
    }

    fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.contents().contains(text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} still on screen:\n{}",
                self.contents()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // A lone ESC must not merge with the next key into an Alt chord.
        thread::sleep(Duration::from_millis(if bytes.contains('\u{1b}') {
            150
        } else {
            30
        }));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(Instant::now() < deadline, "app did not exit");
            thread::sleep(Duration::from_millis(20));
        };
        thread::sleep(Duration::from_millis(200));
        status
    }

    /// Whether the output so far leaves the alternate screen after it last entered it.
    fn terminal_restored(&self) -> bool {
        let raw = String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned();
        match (raw.rfind("\u{1b}[?1049h"), raw.rfind("\u{1b}[?1049l")) {
            (Some(entered), Some(left)) => left > entered,
            _ => false,
        }
    }

    /// Checks the alternate screen was left and the mouse released; returns where it was left.
    fn assert_terminal_restored(&self) -> usize {
        let raw = String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned();
        let entered = raw
            .rfind("\u{1b}[?1049h")
            .expect("entered the alternate screen");
        let left = raw
            .rfind("\u{1b}[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered, "alternate screen left after it was entered");
        assert!(
            raw.contains("\u{1b}[?1000l") || raw.contains("\u{1b}[?1006l"),
            "mouse capture released"
        );
        assert!(!self.screen.lock().unwrap().screen().alternate_screen());
        left
    }

    fn resize(&self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.screen.lock().unwrap().set_size(rows, cols);
    }
}

#[test]
fn search_slider_picker_help_resize_quit() {
    let mut s = Session::start(&["-H", "rtx-4090"]);
    s.wait_for("Models");
    s.wait_for("NVIDIA RTX 4090 24 GB");
    s.send("/");
    for ch in "gpt-oss".chars() {
        s.send(&ch.to_string());
    }
    s.wait_for("gpt-oss 120B");
    s.wait_for("/ gpt-oss▏");
    s.send("\u{1b}");
    // Only send the next key once the lone Esc was read, or the two bytes parse as Alt-+.
    s.wait_gone("/ gpt-oss▏");
    s.send("+");
    s.wait_for("16,384 tokens");
    s.send("H");
    s.wait_for("Hardware (type to filter");
    for ch in "m4 max 128".chars() {
        s.send(&ch.to_string());
    }
    s.send("\r");
    s.wait_for("Apple M4 Max (40-core GPU) 128 GB · metal");
    s.send("?");
    s.wait_for("Keys (? or Esc to close)");
    s.send("\u{1b}");
    s.wait_gone("Keys (? or Esc");
    s.resize(20, 60);
    s.wait_for("terminal too small");
    s.resize(30, 100);
    s.wait_for("Models");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    s.assert_terminal_restored();
}

#[test]
fn a_panic_hands_the_terminal_back_and_reports_it() {
    let mut s = Session::start_with(
        &["--no-default-model-dirs", "-H", "rtx-4090"],
        &[("FITCHECK_CRASH_TEST", "1"), ("RUST_BACKTRACE", "0")],
    );
    s.wait_for("Models");
    s.send("\u{1b}[24~"); // F12
    let status = s.wait_exit();
    assert!(!status.success(), "a panic is a failure exit");
    let left = s.assert_terminal_restored();
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    let report = raw
        .rfind("crash requested with F12")
        .expect("the panic is reported");
    assert!(
        report > left,
        "the report is printed on the restored screen"
    );
}

#[cfg(unix)]
#[test]
fn signals_hand_the_terminal_back() {
    for (sig, name) in [("-TERM", 15), ("-INT", 2), ("-HUP", 1), ("-QUIT", 3)] {
        let mut s = Session::start(&["--no-default-model-dirs", "-H", "rtx-4090"]);
        s.wait_for("Models");
        let pid = s.child.process_id().expect("pid").to_string();
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
        let status = s.wait_exit();
        assert_eq!(status.exit_code(), 128 + name, "kill {sig}: {status:?}");
        let left = s.assert_terminal_restored();
        let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
        let shown = raw.rfind("\u{1b}[?25h").expect("cursor shown");
        let hidden = raw.rfind("\u{1b}[?25l").unwrap_or(0);
        assert!(shown > hidden, "kill {sig}: cursor shown again");
        assert!(left > 0);
    }
}

/// The process state letter from /proc (`T`: stopped), `None` where there is no /proc.
#[cfg(target_os = "linux")]
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: the state follows the last ')'.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_z_and_sigtstp_suspend_with_the_terminal_restored_and_resume() {
    // Ctrl-Z typed (raw mode delivers it as a key) and SIGTSTP sent by another process.
    for how in ["Ctrl-Z", "SIGTSTP"] {
        let mut s = Session::start(&["--no-default-model-dirs", "-H", "rtx-4090"]);
        s.wait_for("Models");
        let pid = s.child.process_id().expect("pid");
        if how == "Ctrl-Z" {
            s.send("\u{1a}");
        } else {
            let ok = std::process::Command::new("kill")
                .args(["-TSTP", &pid.to_string()])
                .status()
                .unwrap()
                .success();
            assert!(ok, "kill -TSTP");
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while proc_state(pid) != Some('T') {
            assert!(Instant::now() < deadline, "{how}: the app did not stop");
            thread::sleep(Duration::from_millis(20));
        }
        // While it is stopped the shell has its terminal back. The app wrote the restore before
        // stopping, but the PTY reader thread may not have read it yet: wait for it to arrive.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !s.terminal_restored() {
            assert!(
                Instant::now() < deadline,
                "{how}: terminal not restored while stopped"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let left = s.assert_terminal_restored();
        let raw_len = s.raw.lock().unwrap().len();
        let ok = std::process::Command::new("kill")
            .args(["-CONT", &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -CONT");
        // Resumed: the alternate screen is entered again and the app redrawn.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
            let entered = raw.rfind("\u{1b}[?1049h").unwrap_or(0);
            if entered > left && raw.len() > raw_len && s.contents().contains("Models") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{how}: the app did not come back (state {:?}); output since the stop: {:?}",
                proc_state(pid),
                &raw[raw_len.min(raw.len())..]
            );
            thread::sleep(Duration::from_millis(20));
        }
        s.send("?");
        s.wait_for("Keys (? or Esc to close)");
        s.send("q");
        s.send("q");
        let status = s.wait_exit();
        assert!(status.success(), "{how}: exit status {status:?}");
        s.assert_terminal_restored();
    }
}

#[test]
fn scan_problems_are_counted_in_the_header_and_listed_with_bang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.gguf"), b"GGUF\x03\x00\x00\x00").unwrap();
    let path = dir.path().to_str().unwrap();
    let mut s = Session::start(&[
        "--no-default-model-dirs",
        "--models-dir",
        path,
        "-H",
        "rtx-4090",
    ]);
    s.wait_for("1 scan problem (!)");
    s.send("!");
    s.wait_for("Scan problems: 1");
    s.wait_for("broken.gguf");
    s.send("!");
    s.wait_gone("Scan problems: 1");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn not_a_terminal_gets_a_clear_message() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs a terminal"));
}
