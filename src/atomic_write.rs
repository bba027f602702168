//! Writing an output file so that it is either complete or absent.
//!
//! [`write_atomically`] writes into a temporary file in the target's own
//! folder and renames it over the target only once the writer closure has
//! succeeded. A rename within one folder (one file system) is atomic on
//! POSIX systems, so a reader — or a user looking after a crash — sees the
//! old file or the new one, never a half-written one.
//!
//! Left to the caller: deciding whether to write to stdout instead (`-`),
//! and durability. There is deliberately no `fsync`: the goal is "no partial
//! output after an error", not "survives a power cut". The new file gets
//! default permissions (umask), not those of the file it replaces, and a
//! symlink at `path` is replaced by a regular file rather than followed.
//!
//! A target that exists and is not a regular file (`/dev/null`, a named
//! pipe, `/dev/stdout`) is written in place: renaming over it would
//! replace the device or pipe with a file (for root, even `/dev/null`),
//! and a reader of a pipe never sees a half-written file anyway.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Distinguishes temporary files of concurrent writes within one process
/// (the pid alone only separates processes).
static SEQUENCE: AtomicUsize = AtomicUsize::new(0);

/// Writes `path` by calling `f` with a buffered writer on a temporary file
/// `.NAME.tmp-PID-N` beside it, then renaming that file over `path`.
///
/// If `f` fails (or panics), or flushing or renaming fails, the temporary
/// file is removed and `path` is left as it was. A device or pipe at `path`
/// is written directly (see the module notes).
pub fn write_atomically(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // (`metadata` follows symlinks: /dev/stdout is a link to a pipe or
    // terminal.)
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut writer = BufWriter::new(OpenOptions::new().write(true).open(path)?);
        f(&mut writer)?;
        return writer.flush();
    }
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file path", path.display()),
        )
    })?;
    // Same folder as the target: a rename across file systems would not be
    // atomic (and would fail with EXDEV).
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    // create_new: never clobber a file we did not create ourselves.
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    // From here on the guard removes the temporary file on every early
    // return and on unwinding out of `f`.
    let guard = RemoveOnDrop(Some(tmp));

    let mut writer = BufWriter::new(file);
    f(&mut writer)?;
    let file: File = writer.into_inner().map_err(|e| e.into_error())?;
    drop(file);

    let tmp = guard.path();
    fs::rename(tmp, path)?;
    guard.disarm();
    Ok(())
}

struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("guard is armed until disarm()")
    }

    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // Best effort: the original error is the one worth reporting.
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn success_replaces_the_target_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("graph.json");
        fs::write(&target, "old").unwrap();

        write_atomically(&target, |w| w.write_all(b"{\"nodes\": []}")).unwrap();

        assert_eq!(fs::read_to_string(&target).unwrap(), "{\"nodes\": []}");
        assert_eq!(entries(dir.path()), ["graph.json"]);
    }

    #[test]
    fn failure_leaves_no_output_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("graph.json");

        let err = write_atomically(&target, |w| {
            w.write_all(b"{\"nodes\": [")?;
            Err(io::Error::other("extraction failed halfway"))
        })
        .unwrap_err();

        assert_eq!(err.to_string(), "extraction failed halfway");
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    }

    #[test]
    fn failure_keeps_the_previous_version_intact() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("graph.json");
        fs::write(&target, "previous run").unwrap();

        write_atomically(&target, |_| Err(io::Error::other("boom"))).unwrap_err();

        assert_eq!(fs::read_to_string(&target).unwrap(), "previous run");
        assert_eq!(entries(dir.path()), ["graph.json"]);
    }

    #[test]
    fn a_panicking_writer_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("graph.json");

        let result = std::panic::catch_unwind(|| {
            write_atomically(&target, |w| {
                w.write_all(b"partial")?;
                panic!("bug in the serializer");
            })
        });

        assert!(result.is_err());
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    }

    #[test]
    #[cfg(unix)]
    fn a_named_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("graph.pipe");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
        assert!(made.success());
        let reader = {
            let pipe = pipe.clone();
            std::thread::spawn(move || fs::read_to_string(pipe).unwrap())
        };

        write_atomically(&pipe, |w| w.write_all(b"{\"nodes\": []}")).unwrap();

        assert_eq!(reader.join().unwrap(), "{\"nodes\": []}");
        assert!(fs::symlink_metadata(&pipe).unwrap().file_type().is_fifo());
        assert_eq!(entries(dir.path()), ["graph.pipe"]);
    }

    #[test]
    fn a_path_without_file_name_is_rejected() {
        let err = write_atomically(Path::new(""), |_| Ok(())).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
