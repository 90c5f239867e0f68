//! The transfer progress bar: bytes, rate and ETA, drawn only when stdout is a terminal
//! (and not with `--json`), so piped output stays clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ossbridge_core::model::Progress;

/// Progress of one command over all its files: core reports per-file byte counts, this
/// adds the bytes of the files already finished.
pub struct TransferProgress {
    bar: Option<ProgressBar>,
    /// Bytes of the files finished (or skipped) so far.
    finished: AtomicU64,
}

impl TransferProgress {
    /// A bar over `total` bytes, if stdout is a terminal and output is not JSON.
    pub fn new(total: u64, json: bool) -> Arc<TransferProgress> {
        let bar = (!json && std::io::stdout().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template(
                    "[{elapsed_precise}] [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar
        });
        Arc::new(TransferProgress {
            bar,
            finished: AtomicU64::new(0),
        })
    }

    /// The callback for one file's transfer; `None` when nothing is drawn.
    pub fn callback(self: &Arc<Self>) -> Option<Progress> {
        self.bar.as_ref()?;
        let me = Arc::clone(self);
        Some(Progress::new(move |done, _total| {
            if let Some(bar) = &me.bar {
                bar.set_position(me.finished.load(Ordering::Relaxed) + done);
            }
        }))
    }

    /// Marks one file (of `size` bytes) done, transferred or skipped.
    pub fn file_done(&self, size: u64) {
        let now = self.finished.fetch_add(size, Ordering::Relaxed) + size;
        if let Some(bar) = &self.bar {
            bar.set_position(now);
        }
    }

    /// Draws the final state and leaves it on screen, before the summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
