//! The transfer progress bar: bytes, rate and ETA, drawn only when stdout is a terminal
//! (and not with `--json`), so piped output stays clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ossbridge_core::model::Progress;

/// Progress of one command over all its files, which may run concurrently: each file
/// adds what it moved since its last report.
pub struct TransferProgress {
    bar: Option<ProgressBar>,
    position: AtomicU64,
}

impl TransferProgress {
    /// A bar over `total` bytes, if stdout is a terminal and output is not JSON.
    pub fn new(total: u64, json: bool) -> Arc<TransferProgress> {
        let bar = (!json && std::io::stdout().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template(
                    // Under 80 columns even at GiB sizes, so the line never wraps.
                    "[{bar:25}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar
        });
        Arc::new(TransferProgress {
            bar,
            position: AtomicU64::new(0),
        })
    }

    /// The progress of one file of this command.
    pub fn file(self: &Arc<Self>) -> FileProgress {
        FileProgress {
            overall: Arc::clone(self),
            reported: Arc::new(AtomicU64::new(0)),
        }
    }

    fn add(&self, bytes: u64) {
        let now = self.position.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(bar) = &self.bar {
            bar.set_position(now);
        }
    }

    /// Draws the final state and leaves it on screen, before the summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            if !bar.is_finished() {
                bar.finish();
                // indicatif leaves the cursor at the end of the bar's line.
                println!();
            }
        }
    }
}

/// One file's share of a [`TransferProgress`].
pub struct FileProgress {
    overall: Arc<TransferProgress>,
    /// Bytes of this file already added to the overall position.
    reported: Arc<AtomicU64>,
}

impl FileProgress {
    /// The callback for core's transfer calls; `None` when nothing is drawn.
    pub fn callback(&self) -> Option<Progress> {
        self.overall.bar.as_ref()?;
        let overall = Arc::clone(&self.overall);
        let reported = Arc::clone(&self.reported);
        Some(Progress::new(move |done, _total| {
            let before = reported.fetch_max(done, Ordering::Relaxed);
            if done > before {
                overall.add(done - before);
            }
        }))
    }

    /// The file is finished (transferred or skipped): count all of its `size` bytes.
    pub fn done(&self, size: u64) {
        let before = self.reported.fetch_max(size, Ordering::Relaxed);
        if size > before {
            self.overall.add(size - before);
        }
    }
}
