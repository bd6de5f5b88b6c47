//! Files only their owner can read: sessions hold private conversations, so on Unix every
//! directory thinkbench creates for them is 0700 and every file it writes (the database, its
//! WAL and shared-memory files, an export) is 0600, whatever the umask.
//!
//! Invariants: a directory that already exists keeps its mode (it may be the person's own,
//! `THINKBENCH_HOME=~/notes`); a database file that exists loses its group and other bits,
//! so a file made by an older build becomes private too; SQLite gives the WAL and
//! shared-memory files the database file's mode, and any left from before are tightened
//! the same way. On other systems these are the plain operations.

use std::fs::File;
use std::io;
use std::path::Path;

/// Create `dir` and its missing parents, each new one 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Create the new file `path` (it must not exist), 0600.
pub fn create_new_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Make the database `db` private before SQLite opens it: create it empty (0600) when it
/// does not exist, and take the group and other bits off it and off its `-wal` and `-shm`
/// files when they exist.
pub fn prepare_database(db: &Path) -> io::Result<()> {
    match create_new_file(db) {
        Ok(_) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err),
    }
    #[cfg(unix)]
    {
        let mut names = vec![db.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            names.push(name.into());
        }
        for path in names {
            restrict(&path)?;
        }
    }
    Ok(())
}

/// Take the group and other permission bits off `path`, when it exists and has any.
#[cfg(unix)]
fn restrict(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    let mode = meta.permissions().mode();
    if mode & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_old_database_files_end_up_private() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.db");
        prepare_database(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        let old = dir.path().join("old.db");
        let wal = dir.path().join("old.db-wal");
        for file in [&old, &wal] {
            std::fs::write(file, b"").unwrap();
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o664)).unwrap();
        }
        prepare_database(&old).unwrap();
        assert_eq!((mode(&old), mode(&wal)), (0o600, 0o600));
        assert!(
            create_new_file(&old).is_err(),
            "never over an existing file"
        );
    }
}
