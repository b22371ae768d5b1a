//! The read connections: a few threads, each with its own connection, run
//! the reads that requests make (WAL lets them read while the writer and
//! the log writer write). The threads run at a lower CPU priority than the
//! rest of the server, so a heavy read (a `query=` search over millions of
//! lines) gets only the CPU that starts, 429s and writes leave.
//!
//! Bounded: [`READERS`] connections, and at most [`QUEUED`] reads queued
//! or running; further callers wait on the async side without holding a
//! thread. A read whose caller has gone (the client hung up) is skipped if
//! it has not started, and interrupted if it has.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, InterruptHandle};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Shared, StoreError, StoreResult, lock, open_connection};
use crate::local::sched;

/// Read connections (and threads).
pub const READERS: usize = 4;
/// Reads queued or running at most.
pub const QUEUED: usize = 64;
/// The read threads' nice value (the server runs at its own, usually 0;
/// one started at a higher value keeps it for them too).
const READ_NICENESS: i32 = 10;
/// The time slice the read threads ask the scheduler for: the longest it
/// grants. A thread that wakes with the default slice (a request's, a
/// session process just started) then runs at once instead of waiting
/// for a read thread's slice to end; the read threads' share of the CPU
/// (their nice value) stays the same. Linux 6.12 and later honour it;
/// older kernels ignore it.
const READ_SLICE_NS: u64 = sched::LONGEST_SLICE_NS;

type Job = Box<dyn FnOnce(&Connection) + Send>;

pub(super) struct ReadPool {
    jobs: Sender<Job>,
    room: Arc<Semaphore>,
}

impl ReadPool {
    /// Opens the connections (failing if one cannot be opened) and starts
    /// their threads; they end when the pool is dropped.
    pub(super) fn start(path: &Path, shared: &Shared) -> StoreResult<ReadPool> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..READERS {
            let mut conn = open_connection(path).map_err(StoreError::Sqlite)?;
            shared.prepare(&mut conn);
            conn.pragma_update(None, "query_only", true)
                .map_err(StoreError::Sqlite)?;
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("pipecat-local-read-{n}"))
                .spawn(move || serve(conn, &queue))
                .map_err(|err| StoreError::Thread(err.to_string()))?;
        }
        Ok(ReadPool {
            jobs,
            room: Arc::new(Semaphore::new(QUEUED)),
        })
    }

    /// Runs `read` on a read connection and waits for its answer.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        // The semaphore is never closed.
        let room = self.room.clone().acquire_owned().await.ok();
        let (answer, answered) = tokio::sync::oneshot::channel();
        let call = Arc::new(Mutex::new(Call::default()));
        let mut waiting = Abandon {
            call: call.clone(),
            armed: true,
        };
        self.submit(Box::new(move |conn: &Connection| {
            let _room: Option<OwnedSemaphorePermit> = room;
            if !Call::begin(&call, conn) {
                return;
            }
            let result = read(conn);
            lock(&call).running = None;
            let _ = answer.send(result);
        }))?;
        let answer = answered.await;
        waiting.armed = false;
        answer.map_err(|_| StoreError::ReadLost)?
    }

    /// Runs `read` on a read connection, blocking this thread until it is
    /// done (tests).
    #[cfg(test)]
    pub(super) fn run_blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (answer, answered) = mpsc::sync_channel(1);
        self.submit(Box::new(move |conn: &Connection| {
            let _ = answer.send(read(conn));
        }))?;
        answered.recv().map_err(|_| StoreError::ReadLost)?
    }

    fn submit(&self, job: Job) -> StoreResult<()> {
        self.jobs.send(job).map_err(|_| StoreError::ReadLost)
    }
}

/// A read thread: lowers its priority, then runs jobs until the pool goes.
fn serve(conn: Connection, queue: &Mutex<Receiver<Job>>) {
    // Never a lower nice value than the server's: that would be refused.
    sched::set_this_thread(READ_NICENESS.max(sched::this_thread_nice()), READ_SLICE_NS);
    loop {
        // Held only while waiting for the next job.
        let next = lock(queue).recv();
        match next {
            Ok(job) => job(&conn),
            Err(_) => return,
        }
    }
}

/// A read in flight, as its caller and its thread see it.
#[derive(Default)]
struct Call {
    /// The caller went away: do not start, or stop.
    abandoned: bool,
    /// Set while the read runs: how to stop it.
    running: Option<InterruptHandle>,
}

impl Call {
    /// Marks the read as running; false if its caller has gone.
    fn begin(call: &Mutex<Call>, conn: &Connection) -> bool {
        let mut call = lock(call);
        if call.abandoned {
            return false;
        }
        call.running = Some(conn.get_interrupt_handle());
        true
    }
}

/// Dropped armed when the caller stops waiting before the answer: the
/// read is then skipped or interrupted.
struct Abandon {
    call: Arc<Mutex<Call>>,
    armed: bool,
}

impl Drop for Abandon {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut call = lock(&self.call);
        call.abandoned = true;
        // Under the lock, so the connection is still running this read
        // (interrupting a connection between statements is harmless).
        if let Some(running) = call.running.take() {
            running.interrupt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::store::Store;

    /// A read runs at the read threads' nice value and, where the kernel
    /// has per-thread slices, with their long slice.
    #[test]
    fn reads_run_at_a_lower_priority_with_a_long_slice() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (nice, attr) = store
            .read_blocking(|_| Ok((sched::this_thread_nice(), sched::attributes(0))))
            .unwrap();
        let expected = READ_NICENESS.max(sched::this_thread_nice());
        assert_eq!(nice, expected);
        assert_eq!(attr.nice, expected);
        // Kernels before 6.12 report no slice for this policy.
        assert!(
            attr.runtime == READ_SLICE_NS || attr.runtime == 0,
            "slice {} ns",
            attr.runtime
        );
    }

    /// A server started at a higher nice value than the read threads'
    /// keeps it for them (a lower one would be refused without privileges,
    /// and the long slice with it).
    #[test]
    fn reads_keep_a_higher_nice_value_of_the_server() {
        let (nice, attr) = std::thread::spawn(|| {
            sched::set_this_thread(READ_NICENESS + 2, sched::DEFAULT_SLICE_NS);
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            store
                .read_blocking(|_| Ok((sched::this_thread_nice(), sched::attributes(0))))
                .unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(nice, READ_NICENESS + 2);
        assert!(
            attr.runtime == READ_SLICE_NS || attr.runtime == 0,
            "slice {} ns",
            attr.runtime
        );
    }
}
