//! The one tokio runtime of the module, and the two ways Python code enters it.
//!
//! pyo3-async-runtimes' default runtime is a process-wide static that is never shut down:
//! its worker threads are still running while the interpreter finalizes, and short scripts
//! then die at exit (SIGSEGV or "PyGILState_Release ... finalizing"). So the module owns its
//! runtime, `shutdown()` is registered with `atexit`, and the runtime is rebuilt lazily.
//!
//! Fork safety: a forked child inherits the parent's runtime object but none of its threads.
//! The runtime records the PID that built it; in any other process it is leaked (dropping it
//! would wait for threads that do not exist) and a fresh one is built. Each runtime has a
//! generation number so clients notice they must rebuild their connection pools.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::{Handle, Runtime};

struct Owned {
    runtime: Runtime,
    pid: u32,
    generation: u64,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

/// Counts the runtimes built so far; objects bound to a runtime (connection pools) compare it.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// How long `shutdown()` waits for in-flight tasks at interpreter exit.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// The handle of the module's runtime, built on first use (and again after a fork).
pub fn handle() -> Handle {
    current().0
}

/// The runtime's handle and generation: a new generation after a fork or a shutdown means
/// that clients built earlier hold connections of a runtime that is gone.
pub fn current() -> (Handle, u64) {
    let mut guard = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if let Some(owned) = guard.as_ref() {
        if owned.pid == pid {
            return (owned.runtime.handle().clone(), owned.generation);
        }
    }
    if let Some(stale) = guard.take() {
        // Inherited across fork(): its threads live only in the parent.
        std::mem::forget(stale);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ossbridge-tokio")
        .build()
        .expect("ossbridge: cannot start the tokio runtime");
    let handle = runtime.handle().clone();
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    *guard = Some(Owned {
        runtime,
        pid,
        generation,
    });
    (handle, generation)
}

/// The PID of the process that built the current runtime, if any (for tests).
/// A value tied to the runtime that built it (its pooled connections belong to that
/// runtime): rebuilt when the module's runtime changes after a fork or a shutdown.
pub(crate) struct PerRuntime<T>(std::sync::Mutex<Option<(u64, T)>>);

impl<T: Clone> PerRuntime<T> {
    pub(crate) fn new() -> Self {
        PerRuntime(std::sync::Mutex::new(None))
    }

    /// The value for the current runtime, built with `build` if there is none yet.
    pub(crate) fn get_or_build(&self, build: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
        let (_, generation) = current();
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some((built_for, value)) if *built_for == generation => Ok(value.clone()),
            _ => {
                if let Some(stale) = slot.take() {
                    // Dropping it could touch tasks of a runtime that no longer runs.
                    std::mem::forget(stale);
                }
                let value = build()?;
                *slot = Some((generation, value.clone()));
                Ok(value)
            }
        }
    }
}

pub fn runtime_pid() -> Option<u32> {
    RUNTIME
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(|o| o.pid)
}

/// Shuts the runtime down (registered with `atexit`). A later call builds a new one.
#[pyfunction]
pub fn _shutdown(py: Python<'_>) {
    let owned = RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(owned) = owned {
        if owned.pid == std::process::id() {
            py.detach(|| owned.runtime.shutdown_timeout(SHUTDOWN_TIMEOUT));
        } else {
            std::mem::forget(owned);
        }
    }
}

/// Runs `future` to completion on the runtime with the GIL released: every blocking call of
/// the binding goes through here, so I/O, hashing and crypto never hold the GIL.
pub fn block_on<F>(py: Python<'_>, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    let handle = handle();
    py.detach(move || handle.block_on(future))
}

/// Turns `future` into an asyncio awaitable that runs on the module's runtime.
pub fn into_awaitable<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<OwnedRuntime, _, T>(py, future)
}

/// pyo3-async-runtimes' view of the owned runtime.
pub struct OwnedRuntime;

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

pub struct TaskJoinError(tokio::task::JoinError);

impl JoinError for TaskJoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

type JoinFuture = Pin<Box<dyn Future<Output = Result<(), TaskJoinError>> + Send>>;

impl GenericRuntime for OwnedRuntime {
    type JoinError = TaskJoinError;
    type JoinHandle = JoinFuture;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = handle().spawn(fut);
        Box::pin(async move { task.await.map_err(TaskJoinError) })
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let task = handle().spawn_blocking(f);
        Box::pin(async move { task.await.map_err(TaskJoinError) })
    }
}

impl ContextExt for OwnedRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|locals| locals.clone()).ok()
    }
}
