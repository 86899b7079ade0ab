//! Helpers shared by the viewer's window tests.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use interseg_viewer::ViewerApp;

/// Runs frames until `done` holds (the server answers on other threads).
#[allow(
    clippy::disallowed_methods,
    reason = "the test thread is no runtime thread; it paces frames like a window would"
)]
pub fn wait_for(
    harness: &mut Harness<'_, ViewerApp>,
    what: &str,
    done: impl Fn(&ViewerApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done(harness.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last message: {:?}",
            harness.state().message()
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    harness.step();
}
