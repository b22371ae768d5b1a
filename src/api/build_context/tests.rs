use std::fs;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use super::*;

/// `python3` when it runs here; `None` (with a note) otherwise.
pub(crate) fn python3() -> Option<PathBuf> {
    let ok = Command::new("python3")
        .args(["-c", "pass"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        eprintln!("skipped: python3 is not available to compare with");
    }
    ok.then(|| PathBuf::from("python3"))
}

/// Run `script` with `stdin`, returning its stdout (panics on failure).
pub(crate) fn run_python(python: &Path, script: &str, stdin: &[u8]) -> Vec<u8> {
    run_python_args(python, script, &[], stdin)
}

fn run_python_args(python: &Path, script: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// An independent packer in Python (tarfile + gzip with the settings the
/// context promises), run on the same directory: prints the gzip bytes.
const PYTHON_PACKER: &str = r##"
import fnmatch, gzip, io, json, os, sys, tarfile
base = os.path.realpath(sys.argv[1])
defaults, extra = json.loads(sys.argv[2]), json.loads(sys.argv[3])
def clean(p):
    p = p.strip()
    if p.startswith("./"):
        p = p[2:]
    return p.rstrip("/")
ignore = os.path.join(base, ".dockerignore")
if os.path.exists(ignore):
    with open(ignore) as f:
        lines = [l.strip() for l in f]
    patterns = [clean(l) for l in lines if l and not l.startswith("#")]
else:
    patterns = defaults + [clean(p) for p in extra]
patterns = [p for p in patterns if p]
def excluded(rel):
    return any(fnmatch.fnmatch(x, p) for p in patterns for x in rel.split("/") + [rel])
members = []
for root, dirs, names in os.walk(base):
    prefix = os.path.relpath(root, base)
    rel = lambda n: n if prefix == "." else prefix + "/" + n
    dirs[:] = [d for d in dirs if not excluded(rel(d))]
    members += [(rel(n), os.path.join(root, n)) for n in names if not excluded(rel(n))]
members.sort()
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tar:
    for name, path in members:
        info = tarfile.TarInfo(name)
        info.size = os.path.getsize(path)
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
        with open(path, "rb") as f:
            tar.addfile(info, f)
out = io.BytesIO()
with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
    gz.write(raw.getvalue())
sys.stdout.buffer.write(out.getvalue())
"##;

fn python_pack(python: &Path, dir: &Path, extra: &[&str]) -> Vec<u8> {
    let defaults = serde_json::to_string(DEFAULT_EXCLUSIONS).unwrap();
    let extra = serde_json::to_string(extra).unwrap();
    run_python_args(
        python,
        PYTHON_PACKER,
        &[dir.to_str().unwrap(), &defaults, &extra],
        b"",
    )
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn chmod(dir: &Path, path: &str, mode: u32) {
    fs::set_permissions(dir.join(path), fs::Permissions::from_mode(mode)).unwrap();
}

/// Bytes that deflate will not squeeze much, to exercise long streams.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 61) as u8 + b'A'
        })
        .collect()
}

/// A project with the awkward cases: nesting, an executable, an empty
/// file, a block-sized file, a name over 100 characters, a non-ASCII name,
/// names whose order differs by component and by whole path, links inside,
/// and things the defaults leave out.
fn project(dir: &Path) {
    write(
        dir,
        "Dockerfile",
        b"FROM dailyco/pipecat-base:latest\nCOPY ./bot.py bot.py\n",
    );
    write(
        dir,
        "bot.py",
        b"async def bot(args):\n    print(args.body)\n",
    );
    write(dir, "requirements.txt", b"");
    write(dir, "run.sh", b"#!/bin/sh\necho hi\n");
    chmod(dir, "run.sh", 0o755);
    write(dir, "block.bin", &[7; 512]);
    write(dir, "a/x", b"a/x");
    write(dir, "a-b", b"a-b");
    write(dir, "sub/dir/deep.txt", b"deep\n");
    write(
        dir,
        &format!("long/{}.txt", "n".repeat(120)),
        b"long name\n",
    );
    write(
        dir,
        "caf\u{e9}/na\u{ef}ve.py",
        "print('\u{e9}')\n".as_bytes(),
    );
    write(dir, "data/noise.txt", &noise(3 * 1024 * 1024 + 17));
    symlink("bot.py", dir.join("link.py")).unwrap();
    symlink("sub", dir.join("alias")).unwrap();
    // Left out by the defaults.
    write(dir, ".git/HEAD", b"ref: refs/heads/main\n");
    write(dir, ".env", b"SECRET=1\n");
    write(dir, ".env.local", b"SECRET=2\n");
    write(dir, "__pycache__/bot.cpython-311.pyc", b"\0");
    write(dir, "venv/lib/site.py", b"");
    write(dir, "server.key", b"key");
    write(dir, "debug.log", b"log");
    write(dir, "pcc-deploy.toml", b"agent_name = \"x\"\n");
    write(dir, "node_modules/m/index.js", b"");
    write(dir, "README.md", b"# readme\n");
    fs::create_dir_all(dir.join("empty")).unwrap();
    // A venv's link out of the project is fine once excluded.
    symlink("/usr/bin/python3", dir.join("venv/python")).unwrap();
}

fn pack(dir: &Path) -> BuildContext {
    create(dir, &ContextOptions::default()).unwrap()
}

#[test]
fn same_tree_packs_to_the_same_bytes_whatever_the_timestamps() {
    let first = tempfile::tempdir().unwrap();
    project(first.path());
    let one = pack(first.path());
    let two = pack(first.path());
    assert_eq!(one.tarball, two.tarball);
    assert_eq!(one.context_hash.len(), 16);
    assert!(one.context_hash.chars().all(|c| c.is_ascii_hexdigit()));

    // New timestamps on every file: nothing changes.
    let later = SystemTime::now() + Duration::from_secs(86_400 * 400);
    for name in &one.files {
        let file = fs::File::options()
            .write(true)
            .open(first.path().join(name))
            .unwrap();
        file.set_times(fs::FileTimes::new().set_modified(later).set_accessed(later))
            .unwrap();
    }
    let touched = pack(first.path());
    assert_eq!(touched.tarball, one.tarball);
    assert_eq!(touched.context_hash, one.context_hash);

    // The same project written again elsewhere, at another time.
    let second = tempfile::tempdir().unwrap();
    project(second.path());
    assert_eq!(pack(second.path()).context_hash, one.context_hash);

    // One byte of content does change it.
    write(
        first.path(),
        "bot.py",
        b"async def bot(args):\n    print(args.bodY)\n",
    );
    assert_ne!(pack(first.path()).context_hash, one.context_hash);
}

#[test]
fn defaults_leave_out_secrets_caches_and_tooling() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let context = pack(dir.path());
    let long = format!("long/{}.txt", "n".repeat(120));
    let expected = vec![
        "Dockerfile",
        "README.md",
        "a-b",
        "a/x",
        "block.bin",
        "caf\u{e9}/na\u{ef}ve.py",
        "data/noise.txt",
        "link.py",
        long.as_str(),
        "requirements.txt",
        "run.sh",
        "sub/dir/deep.txt",
        "bot.py",
    ];
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(context.files, sorted);
    assert!(!context.dockerignore);
    assert_eq!(context.skipped_dir_links, vec!["alias".to_string()]);
}

#[test]
fn dockerignore_replaces_the_defaults_and_build_exclude() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    write(
        dir.path(),
        ".dockerignore",
        b"# ours\n\n./data/\n*.md\r\n  venv  \nlong\n",
    );
    let options = ContextOptions {
        extra_exclusions: vec!["*.sh".into()],
        ..ContextOptions::default()
    };
    let context = create(dir.path(), &options).unwrap();
    assert!(context.dockerignore);
    let files = &context.files;
    // Kept now that the defaults do not apply ([build.exclude] neither).
    for kept in [
        ".git/HEAD",
        ".env",
        "debug.log",
        "pcc-deploy.toml",
        "run.sh",
        ".dockerignore",
    ] {
        assert!(
            files.iter().any(|f| f == kept),
            "{kept} missing from {files:?}"
        );
    }
    for left_out in ["data/noise.txt", "README.md", "venv/lib/site.py"] {
        assert!(
            !files.iter().any(|f| f == left_out),
            "{left_out} in {files:?}"
        );
    }
    assert!(!files.iter().any(|f| f.starts_with("long/")));
}

#[test]
fn build_exclude_adds_to_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let options = ContextOptions {
        extra_exclusions: vec!["*.md".into(), "./data/".into(), "sub/dir".into()],
        ..ContextOptions::default()
    };
    let context = create(dir.path(), &options).unwrap();
    let files = &context.files;
    assert!(
        !files
            .iter()
            .any(|f| f == "README.md" || f.starts_with("data/"))
    );
    assert!(!files.iter().any(|f| f.starts_with("sub/")), "{files:?}");
    assert!(!files.iter().any(|f| f == ".env"), "defaults still apply");
    assert!(files.iter().any(|f| f == "bot.py"));
}

#[test]
fn a_link_out_of_the_context_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    symlink("/etc/hostname", dir.path().join("sub/hostname")).unwrap();
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    assert!(matches!(err, ContextError::LinkOutside { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("sub/hostname"), "{message}");
    assert!(message.contains("/etc/hostname"), "{message}");

    // A directory link out is refused too, and so is a relative climb.
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    symlink("../..", dir.path().join("up")).unwrap();
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("symlink up points outside"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    symlink("missing.py", dir.path().join("dangling.py")).unwrap();
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("symlink dangling.py points to nothing"),
        "{err}"
    );
}

#[test]
fn a_link_inside_is_packed_as_the_file_it_names() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM dailyco/pipecat-base\n");
    write(dir.path(), "real.py", b"x = 1\n");
    let plain = pack(dir.path());
    symlink("real.py", dir.path().join("alias.py")).unwrap();
    write(dir.path(), "copy.py", b"x = 1\n");
    let linked = pack(dir.path());
    assert_eq!(
        linked.files,
        vec!["Dockerfile", "alias.py", "copy.py", "real.py"]
    );
    assert_ne!(plain.context_hash, linked.context_hash);
    // The link's member is the same bytes as a plain copy's, name aside.
    let mut archive = ::tar::Archive::new(flate2::read::GzDecoder::new(&linked.tarball[..]));
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.header().entry_type(), ::tar::EntryType::Regular);
        assert_eq!(entry.header().mtime().unwrap(), 0);
    }
}

#[test]
fn the_size_limit_is_checked_while_walking() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM dailyco/pipecat-base\n");
    write(dir.path(), "a.bin", &[0; 600]);
    write(dir.path(), "b.bin", &[0; 600]);
    let options = ContextOptions {
        max_bytes: 1000,
        ..ContextOptions::default()
    };
    let err = create(dir.path(), &options).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ContextError::TooLarge { at, .. } if at == "b.bin"));
    assert!(message.contains("larger than 0.0 MB"), "{message}");
    assert!(message.contains(".dockerignore"), "{message}");
    // Exactly at the limit is fine.
    let options = ContextOptions {
        max_bytes: 1200 + 26,
        ..ContextOptions::default()
    };
    assert_eq!(create(dir.path(), &options).unwrap().total_bytes, 1226);

    let options = ContextOptions {
        max_files: 2,
        ..ContextOptions::default()
    };
    let err = create(dir.path(), &options).unwrap_err();
    assert!(err.to_string().contains("more than 2 files"), "{err}");
}

#[test]
fn the_dockerfile_must_be_packed_inside_the_context() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bot.py", b"");
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("Dockerfile Dockerfile does not exist"),
        "{message}"
    );
    assert!(message.contains("--dockerfile"), "{message}");

    write(dir.path(), "Dockerfile", b"FROM dailyco/pipecat-base\n");
    write(dir.path(), ".dockerignore", b"Docker*\n");
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("excluded from the build context by the pattern \"Docker*\""),
        "{err}"
    );

    let options = ContextOptions {
        dockerfile: "../Dockerfile".into(),
        ..ContextOptions::default()
    };
    let err = create(dir.path(), &options).unwrap_err();
    assert!(err.to_string().contains("relative path inside"), "{err}");

    fs::remove_file(dir.path().join(".dockerignore")).unwrap();
    write(
        dir.path(),
        "docker/Dockerfile.prod",
        b"FROM dailyco/pipecat-base\n",
    );
    let options = ContextOptions {
        dockerfile: "docker/Dockerfile.prod".into(),
        ..ContextOptions::default()
    };
    assert!(create(dir.path(), &options).is_ok());
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM dailyco/pipecat-base\n");
    nix::unistd::mkfifo(&dir.path().join("pipe"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let err = create(dir.path(), &ContextOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pipe is a fifo, not a regular file; exclude it from the build context"
    );
}

/// The same bytes, and so the same `contextHash`, as Python's `tarfile` and
/// `gzip` give with the settings the official client uses.
#[test]
fn bytes_and_hash_match_python_tarfile_and_gzip() {
    let Some(python) = python3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let ours = pack(dir.path());
    let theirs = python_pack(&python, dir.path(), &[]);
    assert_eq!(ours.tarball.len(), theirs.len());
    assert!(ours.tarball == theirs, "the archives differ");
    assert_eq!(ours.context_hash, context_hash(&theirs));

    let options = ContextOptions {
        extra_exclusions: vec!["*.md".into(), "data/".into()],
        ..ContextOptions::default()
    };
    let ours = create(dir.path(), &options).unwrap();
    assert!(ours.tarball == python_pack(&python, dir.path(), &["*.md", "data/"]));

    write(
        dir.path(),
        ".dockerignore",
        b"# c\n./data/\n*.md\nvenv\n.git\n",
    );
    let ours = pack(dir.path());
    assert!(ours.dockerignore);
    assert!(ours.tarball == python_pack(&python, dir.path(), &[]));

    // And with Python's own MD5.
    let digest = run_python(
        &python,
        "import hashlib, sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest()[:16])",
        &ours.tarball,
    );
    assert_eq!(String::from_utf8(digest).unwrap().trim(), ours.context_hash);
}
