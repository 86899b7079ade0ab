//! The app's event and command logic, without a window or a server: events arrive as the
//! background would report them, commands as the panels would push them.

use interseg_shared::api::prompts::{PromptEntry, PromptKind, PromptsResponse, SlicePoint};
use interseg_shared::api::segmentation::{JobResponse, JobState};

use super::ViewerApp;
use crate::command::Command;
use crate::config::ViewerConfig;
use crate::net::{Event, PromptCall};

/// An app whose server never answers (nothing here needs one).
fn app() -> ViewerApp {
    ViewerApp::new(
        egui::Context::default(),
        None,
        "http://127.0.0.1:9".to_owned(),
        None,
        None,
        ViewerConfig::default(),
    )
    .unwrap_or_else(|err| panic!("the app starts without a server: {err}"))
}

fn point(id: u64, label: u8, include: bool) -> PromptEntry {
    PromptEntry {
        id,
        label,
        include,
        kind: PromptKind::Point,
        point: Some(SlicePoint {
            axis: 2,
            slice_index: 3,
            x: 4,
            y: 5,
        }),
        rect: None,
        color: interseg_shared::color::label_color(u16::from(label)),
    }
}

fn prompts(call: PromptCall, prompts: Vec<PromptEntry>) -> Event {
    Event::Prompts {
        call,
        answer: Ok(PromptsResponse {
            prompts,
            can_undo: true,
            can_redo: false,
            added: None,
            session_id: "s".to_owned(),
        }),
    }
}

fn job(state: JobState, labels: Option<Vec<u8>>) -> Event {
    Event::Job(Ok(JobResponse {
        job_id: 7,
        state,
        progress: 1.0,
        unique_labels: labels,
        file_path: None,
        detail: Some("out of memory".to_owned()),
        session_id: "s".to_owned(),
    }))
}

#[test]
fn a_click_moves_on_to_the_next_free_label_and_its_answer_keeps_it() {
    let mut app = app();
    app.view.new_object_per_click = true;
    app.run(Command::MarkPoint {
        voxel: [4, 5, 3],
        axis: 2,
        include: true,
    });
    assert_eq!(app.view.current_label, 2);
    app.apply(prompts(PromptCall::Mark, vec![point(1, 1, true)]));
    assert_eq!(app.view.current_label, 2);
    // Any other change (here a load) picks the first label no point uses.
    app.view.current_label = 5;
    app.apply(prompts(PromptCall::Load, vec![point(1, 1, true)]));
    assert_eq!(app.view.current_label, 2);
    assert!(app.doc.can_undo);
}

#[test]
fn an_exclude_click_does_not_move_on() {
    let mut app = app();
    app.view.new_object_per_click = true;
    app.run(Command::MarkPoint {
        voxel: [4, 5, 3],
        axis: 2,
        include: false,
    });
    assert_eq!(app.view.current_label, 1);
}

#[test]
fn jobs_end_in_plain_words() {
    let mut app = app();
    app.apply(job(JobState::Done, Some(vec![1, 2, 5])));
    let said = app.message().map(|m| (m.text.clone(), m.is_error));
    assert_eq!(said, Some(("Segmented: 3 object(s)".to_owned(), false)));
    app.apply(job(JobState::Failed, None));
    let said = app.message().map(|m| (m.text.clone(), m.is_error));
    assert_eq!(
        said,
        Some(("Segmentation failed: out of memory".to_owned(), true))
    );
    assert!(app.doc.job.is_none());
}

#[test]
fn a_failed_prompt_call_names_what_it_tried() {
    let mut app = app();
    app.apply(Event::Prompts {
        call: PromptCall::Undo,
        answer: Err(crate::client::ClientError::Local(
            "the disk is full".to_owned(),
        )),
    });
    let said = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.starts_with("Could not undo"), "{said}");
    assert!(app.message().is_some_and(|m| m.is_error));
}

#[test]
fn commands_wait_for_the_end_of_the_frame() {
    let mut app = app();
    app.view.new_object_per_click = true;
    app.commands.send(Command::MarkPoint {
        voxel: [4, 5, 3],
        axis: 2,
        include: true,
    });
    assert_eq!(app.view.current_label, 1, "nothing happens while drawing");
    assert!(app.apply_commands());
    assert_eq!(app.view.current_label, 2);
    assert!(!app.apply_commands(), "each command is applied once");
}

#[test]
fn a_cancel_while_a_run_starts_is_kept_until_its_job_is_known() {
    use crate::document::RunningJob;
    let mut app = app();
    app.doc.volume = Some(std::sync::Arc::new(
        crate::volume_data::VolumeData::zeros_for_tests([4, 4, 4], [1.0; 3]),
    ));
    app.segment();
    assert_eq!(app.doc.job, Some(RunningJob::Starting { cancelled: false }));
    app.segment();
    assert!(app.doc.segment_again, "a second run waits for the first");
    app.cancel_segmentation();
    assert!(!app.doc.segment_again);
    assert_eq!(app.doc.job, Some(RunningJob::Starting { cancelled: true }));
    // The server's first answer names the job (the cancel goes out then); it shows as
    // running until the server says it stopped.
    app.apply(job(JobState::Running, None));
    assert_eq!(
        app.doc.job,
        Some(RunningJob::Running {
            job_id: 7,
            progress: 1.0
        })
    );
    app.apply(job(JobState::Cancelled, None));
    assert!(app.doc.job.is_none());
}
