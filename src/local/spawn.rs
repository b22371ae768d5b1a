//! Starting a session's process without copying the server.
//!
//! `fork(2)`, which `std::process::Command` uses whenever code must run
//! before `exec`, makes every writable page of the server copy-on-write:
//! it copies the page tables of a large multi-threaded process, and the
//! server's threads then fault on each page they write while the child
//! execs. That was most of the CPU a start cost (docs/local-cloud.md,
//! "Performance"). Here the child is made with `clone(2)` and
//! `CLONE_VM | CLONE_VFORK`, as `posix_spawn(3)` does: it shares the
//! server's memory and runs on a stack of its own, while the calling
//! thread waits for its `exec`. Unlike `posix_spawn`, it can do what a
//! session process needs before `exec`: its own process group without
//! the server's terminal, its cgroup, the parent-death signal and the
//! signal mask it starts with.
//!
//! Between `clone` and `exec` the child shares every byte with the server.
//! So it only makes system calls on data prepared before the clone: it
//! never allocates, locks or unwinds. It first resets the server's signal
//! handlers, since a handler run in the child would act on the server's
//! memory (the child starts with every signal blocked until then, but the
//! two the C library keeps for itself, whose handlers ignore what the
//! process did not send itself).
//!
//! The process is waited for through its pidfd (`CLONE_PIDFD`, Linux 5.3),
//! and its group can be signalled through it ([`GroupSignal`]).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use libc::{c_int, c_void};
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
use nix::unistd::Pid;
use tokio::io::unix::AsyncFd;
use tokio::net::unix::pipe;

use super::{containment, sched};

/// The child's own stack until it execs: its calls are a few system call
/// wrappers deep.
const CHILD_STACK: usize = 64 * 1024;
/// Below the stack, so that an overflow faults instead of writing over
/// the server's memory.
const GUARD: usize = 4096;
/// Signals are numbered 1 to 64 on Linux.
const LAST_SIGNAL: c_int = 64;

/// What the child reads on standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdin {
    /// A pipe, whose other end is [`SessionChild::stdin`].
    Piped,
    /// `/dev/null`.
    Null,
}

/// How to start the process, beyond what its `Command` says (program,
/// arguments, environment changes, working directory).
pub struct Options<'a> {
    pub stdin: Stdin,
    /// The cgroup to start in.
    pub cgroup: Option<&'a Path>,
    /// The signals it starts with blocked.
    pub blocked: SigSet,
}

/// A started session process: its own process group, killed
/// by the kernel if the server dies (parent-death signal). Its standard
/// output and error are pipes. Wait for it ([`SessionChild::wait`]) so that
/// it is reaped.
pub struct SessionChild {
    pid: Pid,
    start_ticks: Option<i64>,
    in_cgroup: bool,
    /// Shared with [`GroupSignal`]s, which may outlive the child.
    pidfd: AsyncFd<Arc<OwnedFd>>,
    status: Option<ExitStatus>,
    pub stdin: Option<pipe::Sender>,
    pub stdout: Option<pipe::Receiver>,
    pub stderr: Option<pipe::Receiver>,
}

impl SessionChild {
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Its start time, as `containment::start_ticks` reads it, if it could
    /// be read. The process reads it itself before it execs: read from
    /// here during the exec, it took as long as the rest of a start.
    pub fn start_ticks(&self) -> Option<i64> {
        self.start_ticks
    }

    /// Whether it started in the cgroup it was given: created in it, or
    /// moved there before its exec. Known from the start, so a process
    /// that exits at once (and so is in no `cgroup.procs` by the time
    /// anyone reads it) still counts as contained by its cgroup.
    pub fn in_cgroup(&self) -> bool {
        self.in_cgroup
    }

    /// A handle that signals the process group this process leads.
    pub fn group_signal(&self) -> GroupSignal {
        GroupSignal(self.pidfd.get_ref().clone())
    }

    /// Waits for the process to exit and reaps it; cancel-safe, and
    /// returns the same status when called again.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.status {
                return Ok(status);
            }
            let _exited = self.pidfd.readable().await?;
            match reap(self.pid, libc::WNOHANG)? {
                Some(status) => self.status = Some(status),
                // Readable but not yet waitable: the readiness stays set,
                // so this polls until it is.
                None => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
    }
}

/// Whether this kernel signals a process group through a pidfd
/// ([`GroupSignal`]); asked once, with the null signal to the group our
/// process would lead (there may be none: that answers too).
pub fn group_signals_work() -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| {
        // SAFETY: pidfd_open takes a pid and flags; the descriptor it
        // returns is owned here.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
        let Ok(pidfd) = RawFd::try_from(pidfd) else {
            return false;
        };
        if pidfd < 0 {
            return false;
        }
        // SAFETY: a descriptor just returned to us.
        let ours = GroupSignal(Arc::new(unsafe { OwnedFd::from_raw_fd(pidfd) }));
        match ours.send_raw(0) {
            Ok(()) => true,
            Err(err) => err.raw_os_error() == Some(libc::ESRCH),
        }
    })
}

/// Signals the process group a session process leads, through the
/// process's pidfd: the kernel finds the group by that very process, so
/// it is safe at any time, even after the process was reaped (when a
/// `killpg` could reach another group that reused its id). Linux 6.9 and
/// later (`PIDFD_SIGNAL_PROCESS_GROUP`).
#[derive(Clone)]
pub struct GroupSignal(Arc<OwnedFd>);

impl GroupSignal {
    /// Sends `signal` to every process of the group. An error if the
    /// kernel cannot (older than 6.9) or the group is gone.
    pub fn send(&self, signal: Signal) -> io::Result<()> {
        self.send_raw(signal as c_int)
    }

    /// `send`, with a signal number (0: only check that it could be sent).
    fn send_raw(&self, signal: c_int) -> io::Result<()> {
        // SAFETY: passes a descriptor we own and no siginfo.
        let sent = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                signal,
                ptr::null::<libc::siginfo_t>(),
                libc::PIDFD_SIGNAL_PROCESS_GROUP,
            )
        };
        match sent {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
}

impl Drop for SessionChild {
    /// A process dropped unwaited (its supervisor was cancelled) would run
    /// on unwatched: it is killed, with its group, and reaped.
    fn drop(&mut self) {
        if self.status.is_some() || matches!(reap(self.pid, libc::WNOHANG), Ok(Some(_)) | Err(_)) {
            return;
        }
        let pid = self.pid;
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(move || kill_and_reap(pid))),
            Err(_) => kill_and_reap(pid),
        }
    }
}

/// Starts `command` as a session process (see the module docs): its
/// program, arguments, environment changes and working directory;
/// `options` says the rest (its other settings, such as `env_clear` or
/// its stdio, are not used). Must be
/// called on a thread that lives as long as the process should: the
/// parent-death signal comes when this thread ends (a runtime worker, not
/// a blocking-pool thread). An error means no process runs.
pub fn spawn(command: &Command, options: Options<'_>) -> io::Result<SessionChild> {
    // Checked first: without a runtime, the process could not be watched.
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(io::Error::other(
            "a session process is started from within the async runtime",
        ));
    }
    let program = executable(command)?;
    let argv = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(c_string)
        .collect::<io::Result<Vec<_>>>()?;
    let envp = environment(command)?;
    let cwd = command
        .get_current_dir()
        .map(|dir| c_string(dir.as_os_str()))
        .transpose()?;
    let argv_ptrs = null_terminated(&argv);
    let envp_ptrs = null_terminated(&envp);

    let (child_stdin, our_stdin) = match options.stdin {
        Stdin::Piped => {
            let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
            (read, Some(write))
        }
        Stdin::Null => (std::fs::File::open("/dev/null").map(OwnedFd::from)?, None),
    };
    let (our_stdout, child_stdout) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (our_stderr, child_stderr) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let stdio = [
        above_stdio(child_stdin)?,
        above_stdio(child_stdout)?,
        above_stdio(child_stderr)?,
    ];

    let mut error: c_int = 0;
    let mut joined: c_int = 0;
    let mut start_ticks: i64 = -1;
    // One that cannot be opened is not joined: the caller sees that and
    // contains the process by its group.
    let cgroup = options.cgroup.and_then(|dir| Cgroup::open(dir).ok());
    let mut args = ChildArgs {
        program: program.as_ptr(),
        argv: argv_ptrs.as_ptr(),
        envp: envp_ptrs.as_ptr(),
        cwd: cwd.as_ref().map_or(ptr::null(), |dir| dir.as_ptr()),
        stdio: stdio.each_ref().map(AsRawFd::as_raw_fd),
        cgroup_procs: None,
        mask: *options.blocked.as_ref(),
        parent: nix::unistd::getpid().as_raw(),
        error: &mut error,
        joined: &mut joined,
        start_ticks: &mut start_ticks,
    };
    let (pid, pidfd, created_in_cgroup) = clone_child(&mut args, cgroup.as_ref())?;
    // SAFETY: the child wrote these, if at all, before it exited or
    // exec'd, and this thread was suspended until then (CLONE_VFORK).
    let (error, joined, start_ticks) = unsafe {
        (
            ptr::read_volatile(&error),
            ptr::read_volatile(&joined),
            ptr::read_volatile(&start_ticks),
        )
    };
    if error != 0 {
        let _ = reap(pid, 0);
        return Err(io::Error::from_raw_os_error(error));
    }
    drop(stdio);
    let watched = (|| {
        // SAFETY: an `OwnedFd` keeps its descriptor until its last `Arc`
        // is dropped, the `AsyncFd`'s at the earliest.
        let pidfd = unsafe {
            AsyncFd::register_with_interest(Arc::new(pidfd), tokio::io::Interest::READABLE)
        }
        .map_err(io::Error::from)?;
        Ok(SessionChild {
            pid,
            start_ticks: (start_ticks >= 0).then_some(start_ticks),
            in_cgroup: created_in_cgroup || joined != 0,
            pidfd,
            status: None,
            stdin: our_stdin.map(pipe::Sender::from_owned_fd).transpose()?,
            stdout: Some(pipe::Receiver::from_owned_fd(our_stdout)?),
            stderr: Some(pipe::Receiver::from_owned_fd(our_stderr)?),
        })
    })();
    if watched.is_err() {
        // It runs but cannot be watched: it must not run at all.
        kill_and_reap(pid);
    }
    watched
}

/// Everything the child needs, prepared before the clone.
struct ChildArgs<'a> {
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    /// Null to stay in the server's.
    cwd: *const libc::c_char,
    /// Its standard input, output and error, all above 2.
    stdio: [RawFd; 3],
    /// The cgroup to join before exec, when it could not be created in it.
    cgroup_procs: Option<&'a CStr>,
    mask: libc::sigset_t,
    parent: libc::pid_t,
    /// Where the child puts the errno of what failed.
    error: *mut c_int,
    /// Set by the child once it joined its cgroup (`cgroup_procs`).
    joined: *mut c_int,
    /// Where the child puts its start time (left negative if unread).
    start_ticks: *mut i64,
}

/// The cgroup a process starts in: its directory, to be created in it
/// (`CLONE_INTO_CGROUP`), and its `cgroup.procs`, to join it otherwise.
struct Cgroup {
    dir: OwnedFd,
    procs: CString,
}

impl Cgroup {
    fn open(dir: &Path) -> io::Result<Cgroup> {
        let procs = containment::procs_file(dir).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a NUL byte in the cgroup's path",
            )
        })?;
        let dir = nix::fcntl::open(
            dir,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?;
        Ok(Cgroup { dir, procs })
    }
}

/// The clone itself, with every signal blocked in this thread meanwhile,
/// so that the child starts with them blocked.
///
/// A process that joins its cgroup itself (a write to `cgroup.procs`)
/// waits for the kernel to migrate it, which on a quiet machine waits for
/// an RCU grace period: over 10 ms a start. So where it can, it is created
/// in its cgroup, with `clone3(2)` and `CLONE_INTO_CGROUP` (Linux 5.7),
/// and otherwise (another architecture, an older kernel, a seccomp filter
/// that refuses `clone3`) started with `clone(2)` and joins it. Also
/// returns whether it was created in its cgroup.
fn clone_child<'a>(
    args: &mut ChildArgs<'a>,
    cgroup: Option<&'a Cgroup>,
) -> io::Result<(Pid, OwnedFd, bool)> {
    STACK.with(|stack| {
        let mut slot = stack.borrow_mut();
        let stack = match &mut *slot {
            Some(stack) => stack,
            empty => {
                // Once per thread that starts sessions (the async workers,
                // and so the threads they start later, such as the
                // blocking pool's): the shortest slice, so that when a
                // child's `exec` lets this thread go on, it preempts the
                // child (still loading its program) instead of waiting a
                // whole slice for the CPU. A new child gets it too, and
                // with it a CPU sooner after it is created. A short slice
                // only makes a thread run sooner once woken, not more.
                sched::set_this_thread_slice(sched::SHORTEST_SLICE_NS);
                empty.insert(ChildStack::map()?)
            }
        };
        let mut unblocked = SigSet::empty();
        pthread_sigmask(
            SigmaskHow::SIG_SETMASK,
            Some(&SigSet::all()),
            Some(&mut unblocked),
        )?;
        let mut pidfd: c_int = -1;
        let mut cloned = None;
        #[cfg(target_arch = "x86_64")]
        if let Some(cgroup) = cgroup
            && !CLONE3_REFUSED.load(std::sync::atomic::Ordering::Relaxed)
        {
            let clone_args = CloneArgs {
                flags: (libc::CLONE_VM | libc::CLONE_VFORK | libc::CLONE_PIDFD) as u64
                    | CLONE_INTO_CGROUP,
                pidfd: ptr::from_mut(&mut pidfd) as u64,
                exit_signal: libc::SIGCHLD as u64,
                stack: stack.lowest() as u64,
                stack_size: CHILD_STACK as u64,
                cgroup: cgroup.dir.as_raw_fd() as u64,
                ..CloneArgs::default()
            };
            args.cgroup_procs = None;
            // SAFETY: as for `libc::clone` below.
            let pid = unsafe {
                clone3(
                    &clone_args,
                    child_main,
                    ptr::from_mut(args).cast::<c_void>(),
                )
            };
            if pid > 0 {
                cloned = Some(pid as libc::pid_t);
            } else if [libc::ENOSYS, libc::EPERM, libc::E2BIG, libc::EINVAL]
                .contains(&(-pid as c_int))
            {
                // The kernel or a seccomp filter refuses it: for good.
                CLONE3_REFUSED.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let created_in_cgroup = cloned.is_some();
        let pid = match cloned {
            Some(pid) => pid,
            None => {
                args.cgroup_procs = cgroup.map(|cgroup| cgroup.procs.as_c_str());
                // SAFETY: `child_main` only reads `args` (alive until the
                // child execs or exits, since this thread waits for that)
                // and makes system calls; the stack is this thread's,
                // unused meanwhile.
                unsafe {
                    libc::clone(
                        child_main,
                        stack.top(),
                        libc::CLONE_VM | libc::CLONE_VFORK | libc::CLONE_PIDFD | libc::SIGCHLD,
                        ptr::from_mut(args).cast::<c_void>(),
                        &mut pidfd as *mut c_int,
                    )
                }
            }
        };
        let cloned = Errno::result(pid);
        // Cannot fail: the set is the one this thread had.
        let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&unblocked), None);
        let pid = Pid::from_raw(cloned?);
        if pidfd < 0 {
            // A kernel before 5.3 ignores CLONE_PIDFD.
            kill_and_reap(pid);
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this kernel gives no pidfd for a new process: the local cloud needs Linux 5.3 or newer",
            ));
        }
        // SAFETY: CLONE_PIDFD put a new descriptor, ours alone, there.
        Ok((pid, unsafe { OwnedFd::from_raw_fd(pidfd) }, created_in_cgroup))
    })
}

/// Set once `clone3` was refused as such (not for want of memory or pids).
#[cfg(target_arch = "x86_64")]
static CLONE3_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `CLONE_INTO_CGROUP`, a `clone3(2)` flag beyond the 32 bits of `clone(2)`.
#[cfg(target_arch = "x86_64")]
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `struct clone_args` of `clone3(2)` (its second version, with `cgroup`).
#[cfg(target_arch = "x86_64")]
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// `clone3(2)`, the child running `child(arg)` on the stack `args` gives.
/// Returns the child's pid, or minus the errno, in the parent; the C
/// library has no wrapper, and a raw system call would return into the
/// parent's frames on the child's stack, hence the few instructions.
///
/// # Safety
/// As for `libc::clone`: the stack is the child's alone, and `child`
/// execs or exits (if it returns, the child exits with its value).
#[cfg(target_arch = "x86_64")]
unsafe fn clone3(
    args: &CloneArgs,
    child: extern "C" fn(*mut c_void) -> c_int,
    arg: *mut c_void,
) -> i64 {
    let pid: i64;
    // SAFETY: the parent gets every register back but rax (the result),
    // rcx and r11 (which `syscall` overwrites); the child leaves only
    // through exit(2), on its own stack.
    unsafe {
        std::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r13",
            "call r12",
            "mov edi, eax",
            "mov eax, {exit}",
            "syscall",
            "ud2",
            "2:",
            exit = const libc::SYS_exit,
            inlateout("rax") libc::SYS_clone3 => pid,
            in("rdi") ptr::from_ref(args),
            in("rsi") std::mem::size_of::<CloneArgs>(),
            in("r12") child,
            in("r13") arg,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    pid
}

/// The child, until `exec`: returns only if something failed, with its
/// errno in `args.error`.
extern "C" fn child_main(args: *mut c_void) -> c_int {
    // SAFETY: `clone_child` passed a `ChildArgs` that outlives this call.
    let args = unsafe { &*args.cast::<ChildArgs<'_>>() };
    // SAFETY: see `prepare_and_exec`.
    let errno = match unsafe { prepare_and_exec(args) } {
        // Never report a failure as a success.
        0 => libc::EIO,
        errno => errno,
    };
    // SAFETY: `error` points at the parent's variable, read once we exit.
    unsafe {
        ptr::write_volatile(args.error, errno);
        libc::_exit(127)
    }
}

/// Returns the errno of the step that failed (exec only returns then).
///
/// # Safety
/// Only in the child of `clone_child`: it calls nothing but system call
/// wrappers, on the pointers of `args`.
unsafe fn prepare_and_exec(args: &ChildArgs<'_>) -> c_int {
    let last = || Errno::last_raw();
    // SAFETY: system calls on memory prepared by the parent, which waits.
    unsafe {
        for signal in 1..=LAST_SIGNAL {
            if signal == libc::SIGKILL || signal == libc::SIGSTOP {
                continue;
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            // Numbers the C library keeps for itself answer EINVAL.
            if libc::sigaction(signal, ptr::null(), &mut old) != 0 {
                continue;
            }
            // SIGPIPE too, which Rust programs ignore: as `Command` does.
            let handled = old.sa_sigaction != libc::SIG_IGN && old.sa_sigaction != libc::SIG_DFL;
            if handled || signal == libc::SIGPIPE {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &default, ptr::null_mut());
            }
        }
        // Its own process group: signals reach everything it starts, and a
        // Ctrl-C at the server's terminal reaches only the server, which
        // then stops sessions in order. Not its own session (`setsid`):
        // where the kernel groups processes for CPU by session
        // (autogroup), a new session makes each start wait for the
        // scheduler to run a new group, milliseconds on a loaded machine.
        if libc::setpgid(0, 0) < 0 {
            return last();
        }
        // Nor the server's terminal, as a new session would not have it.
        // `/dev/tty` opens only for a process that has one. A refusal of
        // `TIOCNOTTY` means there is nothing to give up (a sandbox's
        // stand-in for `/dev/tty`, a terminal hung up meanwhile): no
        // reason to fail the start.
        let tty = libc::open(
            c"/dev/tty".as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if tty >= 0 {
            libc::ioctl(tty, libc::TIOCNOTTY);
            libc::close(tty);
        }
        let stat = libc::open(
            c"/proc/self/stat".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if stat >= 0 {
            // Field 22 comes well within the first kilobyte.
            let mut text = [0u8; 1024];
            let read = libc::read(stat, text.as_mut_ptr().cast(), text.len());
            libc::close(stat);
            if let Some(ticks) = usize::try_from(read)
                .ok()
                .and_then(|read| text.get(..read))
                .and_then(containment::start_ticks_in)
            {
                *args.start_ticks = ticks;
            }
        }
        if let Some(procs) = args.cgroup_procs
            && containment::join_cgroup(procs)
        {
            ptr::write_volatile(args.joined, 1);
        }
        // If the server dies without cleaning up, this process dies too;
        // the next server kills the rest. A server that died already
        // cannot send it: then do not start at all.
        if libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        ) < 0
        {
            return last();
        }
        if libc::getppid() != args.parent {
            return libc::ESRCH;
        }
        for (target, fd) in args.stdio.into_iter().enumerate() {
            if libc::dup2(fd, target as c_int) < 0 {
                return last();
            }
        }
        if !args.cwd.is_null() && libc::chdir(args.cwd) < 0 {
            return last();
        }
        if libc::sigprocmask(libc::SIG_SETMASK, &args.mask, ptr::null_mut()) < 0 {
            return last();
        }
        // Its program runs with the default slice (see `clone_child`).
        // The last step before `execve`: the shortest slice got this
        // process a CPU at once, and given up earlier, it lost the CPU to
        // others before its `exec` more often (docs/local-cloud.md).
        sched::set_this_thread_slice(sched::DEFAULT_SLICE_NS);
        libc::execve(args.program, args.argv, args.envp);
        last()
    }
}

thread_local! {
    static STACK: RefCell<Option<ChildStack>> = const { RefCell::new(None) };
}

/// A stack for children started from this thread, kept for the next one:
/// the thread is suspended while a child runs on it.
struct ChildStack {
    base: *mut c_void,
}

impl ChildStack {
    fn map() -> io::Result<ChildStack> {
        // SAFETY: a fresh private mapping, whose lowest page is then made
        // inaccessible.
        unsafe {
            let base = libc::mmap(
                ptr::null_mut(),
                GUARD + CHILD_STACK,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            );
            if base == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            let stack = ChildStack { base };
            if libc::mprotect(base, GUARD, libc::PROT_NONE) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(stack)
        }
    }

    /// Stacks grow down from here (16-byte aligned, as calls need).
    fn top(&self) -> *mut c_void {
        self.base.wrapping_byte_add(GUARD + CHILD_STACK)
    }

    /// Its lowest usable byte, above the guard page.
    #[cfg(target_arch = "x86_64")]
    fn lowest(&self) -> *mut c_void {
        self.base.wrapping_byte_add(GUARD)
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: our mapping, no longer used by any child.
        unsafe {
            libc::munmap(self.base, GUARD + CHILD_STACK);
        }
    }
}

/// SIGKILL to a process that leads its group (not yet reaped, so the
/// group id is still its own), and its reaping.
fn kill_and_reap(pid: Pid) {
    let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
    let _ = reap(pid, 0);
}

/// `waitpid`, retried when interrupted; `None` while it runs (`WNOHANG`).
fn reap(pid: Pid, flags: c_int) -> io::Result<Option<ExitStatus>> {
    let mut status: c_int = 0;
    loop {
        // SAFETY: writes only `status`.
        match unsafe { libc::waitpid(pid.as_raw(), &mut status, flags) } {
            0 => return Ok(None),
            -1 if Errno::last() == Errno::EINTR => continue,
            -1 => return Err(io::Error::last_os_error()),
            _ => return Ok(Some(ExitStatus::from_raw(status))),
        }
    }
}

/// The program to exec: as given if it has a `/`, else found in the
/// `PATH` the process gets (as a shell would).
fn executable(command: &Command) -> io::Result<CString> {
    let program = command.get_program();
    if program.as_bytes().contains(&b'/') {
        return c_string(program);
    }
    let path = command
        .get_envs()
        .find(|(key, _)| *key == "PATH")
        .map(|(_, value)| value.map(OsStr::to_os_string))
        .unwrap_or_else(|| std::env::var_os("PATH"))
        .unwrap_or_else(|| "/bin:/usr/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .map(|found| c_string(found.as_os_str()))
        .unwrap_or_else(|| {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} is not in PATH", program.to_string_lossy()),
            ))
        })
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The server's environment with the command's changes.
fn environment(command: &Command) -> io::Result<Vec<CString>> {
    let mut vars: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => vars.insert(key.to_os_string(), value.to_os_string()),
            None => vars.remove(key),
        };
    }
    vars.into_iter()
        .map(|(key, value)| {
            let mut pair = Vec::with_capacity(key.len() + 1 + value.len());
            pair.extend_from_slice(key.as_bytes());
            pair.push(b'=');
            pair.extend_from_slice(value.as_bytes());
            // Named by its key only: values can be secrets.
            CString::new(pair).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the environment variable {} holds a NUL byte",
                        key.to_string_lossy()
                    ),
                )
            })
        })
        .collect()
}

/// The program or one of its arguments.
fn c_string(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the command or one of its arguments holds a NUL byte",
        )
    })
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(ptr::null()))
        .collect()
}

/// The descriptor moved above 0–2 if it is one of them (a server started
/// with its standard streams closed), so that putting the child's three in
/// place never overwrites one of them.
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    let moved = nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(3))?;
    // SAFETY: a new descriptor, ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn options(stdin: Stdin) -> Options<'static> {
        Options {
            stdin,
            cgroup: None,
            blocked: SigSet::empty(),
        }
    }

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    async fn output(child: &mut SessionChild) -> String {
        let mut text = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .await
            .unwrap();
        text
    }

    /// One line of `/proc/PID/status`, e.g. `SigBlk`.
    fn status_field(status: &str, name: &str) -> u64 {
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} in {status}"));
        u64::from_str_radix(line.trim(), 16).unwrap()
    }

    #[tokio::test]
    async fn the_process_gets_its_arguments_environment_directory_and_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let mut command =
            shell(r#"printf '%s|%s|%s|%s|' "$1" "$GIVEN" "${HOME-removed}" "$(pwd)"; cat"#);
        command
            .args(["sh", "first argument"])
            .env("GIVEN", "a value")
            .env_remove("HOME")
            .current_dir(dir.path());
        let mut child = spawn(&command, options(Stdin::Piped)).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"the body").await.unwrap();
        drop(stdin);
        let text = output(&mut child).await;
        let cwd = dir.path().canonicalize().unwrap();
        assert_eq!(
            text,
            format!("first argument|a value|removed|{}|the body", cwd.display())
        );
        assert!(child.wait().await.unwrap().success());
    }

    /// The thread that starts a process asks for the shortest slice (so
    /// that it preempts the process once its `exec` lets it go on); the
    /// process runs with the default slice and the thread's nice value.
    /// Kernels before 6.12 report no slice (0) for this policy.
    #[tokio::test]
    async fn the_starting_thread_has_the_shortest_slice_and_the_process_the_default() {
        // A test has a thread of its own, which has started nothing yet;
        // it starts from the default, whatever the test process inherited.
        sched::set_this_thread_slice(sched::DEFAULT_SLICE_NS);
        let default = sched::attributes(0).runtime;
        let mut child = spawn(&shell("cat"), options(Stdin::Piped)).unwrap();
        let starter = sched::attributes(0);
        let process = sched::attributes(child.pid().as_raw());
        if default != 0 {
            assert_eq!(starter.runtime, sched::SHORTEST_SLICE_NS);
            assert_ne!(default, sched::SHORTEST_SLICE_NS);
        }
        assert_eq!(process.runtime, default, "the process's slice");
        assert_eq!(process.nice, starter.nice);
        drop(child.stdin.take());
        assert!(child.wait().await.unwrap().success());
    }

    #[tokio::test]
    async fn exit_statuses_are_kept_and_stdin_can_be_empty() {
        let mut child = spawn(&shell("cat; exit 3"), options(Stdin::Null)).unwrap();
        assert!(child.stdin.is_none());
        assert!(!child.in_cgroup(), "it was given none");
        assert_eq!(output(&mut child).await, "");
        assert_eq!(child.wait().await.unwrap().code(), Some(3));
        assert_eq!(child.wait().await.unwrap().code(), Some(3));

        let mut child = spawn(&shell("kill -TERM $$"), options(Stdin::Null)).unwrap();
        assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGTERM));
    }

    /// Its own process group (in the server's session: a new session
    /// would be a new CPU group where the kernel groups by session), the
    /// signals asked for blocked, and SIGPIPE back to its default (Rust
    /// programs ignore it).
    #[tokio::test]
    async fn the_process_leads_its_own_group_with_the_mask_it_was_given() {
        let mut blocked = SigSet::empty();
        blocked.add(nix::sys::signal::Signal::SIGTERM);
        let mut child = spawn(
            &shell("exec cat /proc/self/status"),
            Options {
                stdin: Stdin::Null,
                cgroup: None,
                blocked,
            },
        )
        .unwrap();
        let pid = child.pid();
        // Read by the process itself, the same as read from outside.
        assert!(child.start_ticks().is_some());
        assert_eq!(child.start_ticks(), containment::start_ticks(pid));
        assert_eq!(nix::unistd::getpgid(Some(pid)).unwrap(), pid);
        assert_eq!(
            nix::unistd::getsid(Some(pid)).unwrap(),
            nix::unistd::getsid(None).unwrap()
        );
        let status = output(&mut child).await;
        assert_eq!(status_field(&status, "SigBlk"), 1 << (libc::SIGTERM - 1));
        assert_eq!(
            status_field(&status, "SigIgn") & (1 << (libc::SIGPIPE - 1)),
            0
        );
        assert!(child.wait().await.unwrap().success());
    }

    /// The server's controlling terminal is not the process's: run at a
    /// terminal, the server keeps Ctrl-C, and a bot cannot read the
    /// user's keystrokes or be stopped for trying. This test runs itself
    /// again in a new session whose terminal is a fresh pty.
    #[test]
    fn the_process_does_not_get_the_servers_terminal() {
        const AT_A_TERMINAL: &str = "PIPECAT_SPAWN_TEST_AT_A_TERMINAL";
        let tty_of = |stat: &str| -> i64 {
            let fields = &stat[stat.rfind(')').unwrap() + 2..];
            fields.split(' ').nth(4).unwrap().parse().unwrap()
        };
        if std::env::var_os(AT_A_TERMINAL).is_some() {
            let ours = std::fs::read_to_string("/proc/self/stat").unwrap();
            assert_ne!(tty_of(&ours), 0, "the test runs at a terminal");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let stat = runtime.block_on(async {
                let mut child =
                    spawn(&shell("exec cat /proc/self/stat"), options(Stdin::Null)).unwrap();
                let stat = output(&mut child).await;
                assert!(child.wait().await.unwrap().success());
                stat
            });
            assert_eq!(
                tty_of(&stat),
                0,
                "the session process has a terminal: {stat}"
            );
            println!("no terminal in the session process");
            return;
        }
        let Ok(pty) = nix::pty::openpty(None, None) else {
            eprintln!("skipped: no pseudo-terminal to run at");
            return;
        };
        // Not inherited by what other tests start meanwhile.
        for fd in [pty.master.as_raw_fd(), pty.slave.as_raw_fd()] {
            // SAFETY: sets a flag of a descriptor this test owns.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        let terminal = pty.slave.as_raw_fd();
        let mut test = Command::new(std::env::current_exe().unwrap());
        test.args([
            "--exact",
            "local::spawn::tests::the_process_does_not_get_the_servers_terminal",
            "--nocapture",
        ])
        .env(AT_A_TERMINAL, "1")
        .stdin(std::process::Stdio::null());
        // SAFETY: between fork and exec, only async-signal-safe calls.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut test, move || {
                if libc::setsid() < 0 || libc::ioctl(terminal, libc::TIOCSCTTY, 0) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut run = test
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while run.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = run.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let run = run.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
        );
        assert!(run.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.contains("no terminal in the session process"),
            "{stdout}{stderr}"
        );
    }

    /// The parent-death signal: when the thread that started it ends (as
    /// the server's would when it dies), the kernel kills the process.
    #[test]
    fn the_process_is_killed_when_its_parent_thread_ends() {
        let pid = std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let child = spawn(&shell("sleep 30"), options(Stdin::Null)).unwrap();
                let pid = child.pid();
                // Dropped unwaited: the process is reaped below instead.
                std::mem::forget(child);
                pid
            })
        })
        .join()
        .unwrap();
        let status = nix::sys::wait::waitpid(pid, None).unwrap();
        assert_eq!(
            status,
            nix::sys::wait::WaitStatus::Signaled(pid, nix::sys::signal::Signal::SIGKILL, false)
        );
    }

    /// Where the machine allows cgroups, the process runs in the one it
    /// was given from its first instruction on, and says so even once it
    /// has exited (when its cgroup no longer lists it).
    #[tokio::test]
    async fn the_process_starts_in_its_cgroup() {
        let containment = containment::Containment::detect();
        let id = format!("spawn-test-{}", std::process::id());
        let Some(cgroup) = containment.cgroup_for(&id) else {
            eprintln!("skipped: no writable cgroup v2 hierarchy here");
            return;
        };
        let mut child = spawn(
            &shell("exec cat /proc/self/cgroup"),
            Options {
                stdin: Stdin::Null,
                cgroup: Some(&cgroup),
                blocked: SigSet::empty(),
            },
        )
        .unwrap();
        let text = output(&mut child).await;
        assert!(child.wait().await.unwrap().success());
        let line = text.lines().find(|line| line.starts_with("0::")).unwrap();
        assert!(line.ends_with(&format!("/pipecat-local/{id}")), "{text}");
        let listed = std::fs::read_to_string(cgroup.join("cgroup.procs")).unwrap();
        assert_eq!(listed, "", "an exited process leaves its cgroup's list");
        assert!(child.in_cgroup());
        std::fs::remove_dir(&cgroup).unwrap();
    }

    /// Dropped while it runs (its supervisor was cancelled), a process is
    /// killed with its group and reaped: nothing runs on unwatched.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_process_dropped_unwaited_is_killed_and_reaped() {
        let child = spawn(&shell("sleep 30 & sleep 30"), options(Stdin::Null)).unwrap();
        let group = child.pid();
        drop(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        // Gone from the process table: killed, and reaped (a zombie would
        // still be there).
        while nix::sys::signal::killpg(group, None).is_ok() {
            assert!(std::time::Instant::now() < deadline, "still running");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The group signal reaches the group the process led even after the
    /// process was reaped (the group is found through the process, not
    /// its id), and says so once the group is gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_group_is_signalled_through_the_pidfd_even_after_the_reap() {
        let mut child = spawn(
            &shell("sleep 30 >/dev/null & echo $!"),
            options(Stdin::Null),
        )
        .unwrap();
        let left: i32 = output(&mut child).await.trim().parse().unwrap();
        let left = Pid::from_raw(left);
        assert!(child.wait().await.unwrap().success());
        let group = child.group_signal();
        drop(child);
        match group.send(Signal::SIGKILL) {
            Err(err) if err.raw_os_error() == Some(libc::EINVAL) => {
                eprintln!("skipped: this kernel has no PIDFD_SIGNAL_PROCESS_GROUP (Linux 6.9)");
                let _ = nix::sys::signal::kill(left, Signal::SIGKILL);
                return;
            }
            sent => sent.unwrap(),
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        // Killed (a zombie until whoever adopted it reaps it).
        let stat = || std::fs::read_to_string(format!("/proc/{left}/stat")).ok();
        let alive = |stat: &str| {
            !stat
                .rsplit_once(") ")
                .is_some_and(|(_, s)| s.starts_with('Z'))
        };
        while stat().is_some_and(|stat| alive(&stat)) {
            assert!(std::time::Instant::now() < deadline, "still running");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Once it is reaped too, the group is gone.
        while stat().is_some() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if stat().is_none() {
            let gone = group.send(Signal::SIGTERM).unwrap_err();
            assert_eq!(gone.raw_os_error(), Some(libc::ESRCH));
        }
    }

    #[tokio::test]
    async fn a_program_that_cannot_run_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = spawn(
            &Command::new(dir.path().join("missing")),
            options(Stdin::Null),
        );
        assert_eq!(missing.err().unwrap().kind(), io::ErrorKind::NotFound);

        let not_executable = dir.path().join("script");
        std::fs::write(&not_executable, "#!/bin/sh\n").unwrap();
        let refused = spawn(&Command::new(&not_executable), options(Stdin::Null));
        assert_eq!(
            refused.err().unwrap().kind(),
            io::ErrorKind::PermissionDenied
        );

        let not_in_path = spawn(&Command::new("no-such-program-here"), options(Stdin::Null));
        assert_eq!(not_in_path.err().unwrap().kind(), io::ErrorKind::NotFound);
    }

    /// A secret with a NUL byte cannot be passed; the error names its key,
    /// never its value.
    #[tokio::test]
    async fn an_environment_value_with_a_nul_byte_is_refused_by_its_key() {
        let mut command = shell("true");
        command.env("API_TOKEN", "sec\0ret");
        let err = spawn(&command, options(Stdin::Null)).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let text = err.to_string();
        assert!(text.contains("API_TOKEN"), "{text}");
        assert!(!text.contains("sec"), "{text}");
    }
}
