//! What the local cloud asks of the CPU scheduler, per thread: a nice value
//! (its share of the CPU) and a time slice (how soon it runs once woken).
//! Linux keeps both per thread, and a new thread or process inherits them.
//! With the fair scheduler of Linux 6.12 and later, a waking thread with a
//! shorter slice than the running one's preempts it; older kernels have no
//! per-thread slice.

use nix::libc;

/// The shortest slice the kernel grants (0.1 ms).
pub(crate) const SHORTEST_SLICE_NS: u64 = 100_000;
/// The longest slice the kernel grants (100 ms).
pub(crate) const LONGEST_SLICE_NS: u64 = 100_000_000;
/// Asks for the kernel's default slice (a sentinel, not a length).
pub(crate) const DEFAULT_SLICE_NS: u64 = 0;

/// sched_setattr(2)'s flag to keep the thread's policy (whatever the
/// server was started with) and change only the rest (Linux 5.3).
const SCHED_FLAG_KEEP_POLICY: u64 = 0x08;

/// `struct sched_attr` of sched_setattr(2), its first version (48 bytes);
/// the C library has no wrapper.
#[repr(C)]
#[derive(Default)]
pub(crate) struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    pub(crate) nice: i32,
    priority: u32,
    /// The slice, for the fair scheduler's policies.
    pub(crate) runtime: u64,
    deadline: u64,
    period: u64,
}

/// The calling thread's nice value. -1 is also what an error returns,
/// which only a seccomp filter could cause.
pub(crate) fn this_thread_nice() -> i32 {
    // SAFETY: reads nothing of ours. With `who` 0, Linux answers for the
    // calling thread.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
}

/// Gives the calling thread `nice` and a slice of `slice_ns` (clamped by
/// the kernel to 0.1..100 ms; [`DEFAULT_SLICE_NS`] for its default). Best
/// effort: where sched_setattr(2) is refused (a kernel before 5.3, a
/// real-time policy, a seccomp filter) only the nice value is set, and a
/// nice value lower than allowed leaves the thread as it was.
pub(crate) fn set_this_thread(nice: i32, slice_ns: u64) {
    let attr = SchedAttr {
        size: std::mem::size_of::<SchedAttr>() as u32,
        flags: SCHED_FLAG_KEEP_POLICY,
        nice,
        runtime: slice_ns,
        ..SchedAttr::default()
    };
    // SAFETY: sched_setattr(2) for the calling thread (pid 0) only reads
    // `attr`; setpriority(2) with `who` 0 changes the calling thread.
    unsafe {
        if libc::syscall(libc::SYS_sched_setattr, 0, &attr, 0) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, nice);
        }
    }
}

/// Gives the calling thread a slice of `slice_ns` and changes nothing
/// else: nothing at all where its attributes cannot be read, where it has
/// no per-thread slice (a kernel before 6.12 reports none) or where it
/// runs under another policy than the fair scheduler's.
///
/// Only system calls, no allocation or lock: a child between `clone` and
/// `exec` calls it.
pub(crate) fn set_this_thread_slice(slice_ns: u64) {
    let Some(mut attr) = read_attributes(0) else {
        return;
    };
    if ![libc::SCHED_OTHER, libc::SCHED_BATCH].contains(&(attr.policy as i32)) || attr.runtime == 0
    {
        return;
    }
    attr.flags = SCHED_FLAG_KEEP_POLICY;
    attr.runtime = slice_ns;
    // SAFETY: sched_setattr(2) for the calling thread (pid 0) only reads
    // `attr`.
    unsafe {
        libc::syscall(libc::SYS_sched_setattr, 0, &attr, 0);
    }
}

/// The attributes of thread `tid` (0: the calling thread), as the kernel
/// reports them; `None` where it does not. Only a system call.
fn read_attributes(tid: libc::pid_t) -> Option<SchedAttr> {
    let size = std::mem::size_of::<SchedAttr>() as u32;
    let mut attr = SchedAttr {
        size,
        ..SchedAttr::default()
    };
    // SAFETY: sched_getattr(2) writes at most `size` bytes into `attr`.
    let got = unsafe { libc::syscall(libc::SYS_sched_getattr, tid, &mut attr, size, 0) };
    (got == 0).then_some(attr)
}

/// [`read_attributes`], for tests: fails where the kernel does not answer.
#[cfg(test)]
pub(crate) fn attributes(tid: libc::pid_t) -> SchedAttr {
    read_attributes(tid)
        .unwrap_or_else(|| panic!("sched_getattr: {}", std::io::Error::last_os_error()))
}
