//! Segmentation jobs: runs started in the background, followed by polling. In memory only: a
//! job lives as long as the server process (its result, once done, is the session's result
//! and is on disk).

use crate::segmentation::RunControl;

/// Finished jobs kept for polling, per session.
const KEPT_JOBS: usize = 32;

/// Where a job stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobStatus {
    Running,
    Done { unique_labels: Vec<u8> },
    Failed { detail: String },
    Cancelled,
}

#[derive(Debug)]
struct Job {
    id: u64,
    control: RunControl,
    status: JobStatus,
}

/// A session's jobs, newest last.
#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Vec<Job>,
    next_id: u64,
}

impl Jobs {
    /// Registers a running job; returns its id and the control to run it with.
    pub fn start(&mut self) -> (u64, RunControl) {
        self.next_id += 1;
        let control = RunControl::default();
        self.jobs.push(Job {
            id: self.next_id,
            control: control.clone(),
            status: JobStatus::Running,
        });
        // Forget the oldest finished jobs beyond the limit.
        while self.jobs.len() > KEPT_JOBS {
            let Some(oldest_done) = self
                .jobs
                .iter()
                .position(|j| j.status != JobStatus::Running)
            else {
                break;
            };
            self.jobs.remove(oldest_done);
        }
        (self.next_id, control)
    }

    pub fn finish(&mut self, id: u64, status: JobStatus) {
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
            // A job cancelled by request stays cancelled whatever its run ended with.
            if job.status == JobStatus::Running {
                job.status = status;
            }
        }
    }

    /// The job's status and progress.
    pub fn get(&self, id: u64) -> Option<(JobStatus, f32)> {
        self.jobs.iter().find(|j| j.id == id).map(|j| {
            let progress = if matches!(j.status, JobStatus::Done { .. }) {
                1.0
            } else {
                j.control.progress()
            };
            (j.status.clone(), progress)
        })
    }

    /// Asks a running job to stop; false if there is no such job.
    pub fn cancel(&mut self, id: u64) -> bool {
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return false;
        };
        if job.status == JobStatus::Running {
            job.control.cancel();
            job.status = JobStatus::Cancelled;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_finish_and_cancel() {
        let mut jobs = Jobs::default();
        let (a, control) = jobs.start();
        control.report(0.5);
        assert_eq!(jobs.get(a), Some((JobStatus::Running, 0.5)));
        jobs.finish(
            a,
            JobStatus::Done {
                unique_labels: vec![0, 1],
            },
        );
        assert_eq!(
            jobs.get(a),
            Some((
                JobStatus::Done {
                    unique_labels: vec![0, 1]
                },
                1.0
            ))
        );
        let (b, control) = jobs.start();
        assert!(jobs.cancel(b));
        assert!(control.is_cancelled());
        jobs.finish(
            b,
            JobStatus::Failed {
                detail: "cancelled".to_owned(),
            },
        );
        assert_eq!(jobs.get(b).map(|j| j.0), Some(JobStatus::Cancelled));
        assert!(!jobs.cancel(99));
        for _ in 0..100 {
            let (id, _) = jobs.start();
            jobs.finish(id, JobStatus::Cancelled);
        }
        assert!(jobs.jobs.len() <= KEPT_JOBS);
    }
}
