//! Runs the repo's Python tools with the interpreter of the test venv (`scripts/test` makes
//! it and sets `INTERSEG_PYTHON`), so that nibabel and requests check our output.

use std::process::Command;

use anyhow::Context as _;

/// The Python with nibabel and requests: `INTERSEG_PYTHON`, else `.venv/bin/python`.
pub fn interpreter() -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("INTERSEG_PYTHON") {
        return Ok(path.into());
    }
    let venv = crate::workspace_root().join(".venv/bin/python");
    anyhow::ensure!(
        venv.exists(),
        "no Python with nibabel: run scripts/test (it makes .venv) or set INTERSEG_PYTHON"
    );
    Ok(venv)
}

/// Runs `tools/<script>` with `args`; fails with its output unless it exits 0.
pub fn run_tool(script: &str, args: &[&str]) -> anyhow::Result<String> {
    let path = crate::workspace_root().join("tools").join(script);
    let output = Command::new(interpreter()?)
        .arg(&path)
        .args(args)
        .output()
        .with_context(|| format!("running {}", path.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    anyhow::ensure!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}

/// ONNX Runtime's library from the test venv's onnxruntime wheel: `INTERSEG_ORT_LIB`, else
/// found under `.venv`.
pub fn ort_library() -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("INTERSEG_ORT_LIB") {
        return Ok(path.into());
    }
    let lib = crate::workspace_root().join(".venv/lib");
    let found = std::fs::read_dir(&lib)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|python| python.path().join("site-packages/onnxruntime/capi"))
        .filter_map(|capi| std::fs::read_dir(capi).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|f| f.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so."))
        });
    found.context("no ONNX Runtime library: run scripts/test (it installs onnxruntime into .venv) or set INTERSEG_ORT_LIB")
}
