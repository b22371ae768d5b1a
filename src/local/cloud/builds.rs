//! Cloud builds: an uploaded build context becomes an image directory that
//! deployments run by `buildId`.
//!
//! # The flow (as on the platform)
//!
//! 1. `POST /builds/upload-url` answers an upload slot: `uploadId`,
//!    `uploadUrl` (this server's [`UPLOAD_PATH`]), the `uploadFields` the
//!    upload must send before the file, and `expiresAt`
//!    ([`UPLOAD_TTL`] later). As with the platform's presigned form, the
//!    upload itself carries no API credential: the slot's `key` and its
//!    random `signature` field are the authority. The signature is stored
//!    as its SHA-256 only, and a slot takes one upload.
//! 2. The upload (a multipart form, the fields first, then `file`) is
//!    hashed and written to `DATA_DIR/uploads/` as it arrives, at most
//!    [`BuildSettings::max_context_bytes`]; the file appears (atomically)
//!    only once complete.
//! 3. `POST /builds` takes the uploaded slot: a successful build of the
//!    same `contextHash`, region and Dockerfile is answered as is
//!    (`cached: true`); otherwise a `pending` build is queued (at most
//!    [`MAX_QUEUED_BUILDS`] waiting; beyond that the request is refused and
//!    the upload stays usable).
//! 4. One worker runs builds in order: unpack the context safely
//!    (`build::unpack`), build natively (`build::builder`) into
//!    `DATA_DIR/images/<build id>/`, every step a log line (at most
//!    [`MAX_STORED_LOG_LINES`] kept), within [`BuildSettings::timeout`]
//!    (then `timeout`). A success's `imageUri` is
//!    `pipecat-local/builds:<build id>`, which the image catalog resolves to
//!    that directory.
//!
//! A build waiting or running when its server stopped is `failed` at the
//! next start, saying so; its half-built image is removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::api::build_context::{
    ContextHasher, DEFAULT_DOCKERFILE, MAX_CONTEXT_BYTES, MAX_CONTEXT_FILES, format_size,
};
use crate::api::limits::{
    DEFAULT_BUILD_LOG_LINES, DEFAULT_BUILD_PAGE, MAX_BUILD_LOG_LINES, MAX_BUILD_PAGE,
};
use crate::api::types::{
    Build, BuildStatus, CreateBuildRequest, CreateBuildResponse, GetBuildLogsResponse,
    GetBuildResponse, ListBuildsResponse, UploadUrlRequest, UploadUrlResponse,
};

use super::super::build::builder::{self, BuildOptions};
use super::super::build::unpack::{self, UnpackLimits};
use super::super::error::{CloudError, CloudResult, What};
use super::super::identity::{digest, new_secret};
use super::super::images::build_image_uri;
use super::super::store::{
    BuildFilter, BuildRecord, Store, UPLOAD_PENDING, UPLOAD_RECEIVING, UPLOAD_UPLOADED,
    UPLOAD_USED, UploadRecord, new_id,
};
use super::super::time::{now_ns, rfc3339_millis};
use super::{Cloud, ORG};

/// Where uploads go, on this server (the platform's is an S3 bucket).
pub const UPLOAD_PATH: &str = "/build-uploads";
/// How long an upload slot may wait for its upload and its build.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// Builds that may wait for the worker; more are refused.
pub const MAX_QUEUED_BUILDS: usize = 16;
/// Log lines kept per build; what comes after is counted, not kept.
pub const MAX_STORED_LOG_LINES: u64 = 20_000;
/// How long a build may run unless `serve --build-timeout` says.
pub const DEFAULT_BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The form field that names the upload slot, and the one that signs it.
pub const KEY_FIELD: &str = "key";
pub const SIGNATURE_FIELD: &str = "signature";
/// Upload slots that may be open at once (a bound on the table and the
/// disk, not a rate): older unused ones expire anyway.
const MAX_OPEN_UPLOADS: u64 = 256;

const BUILD_CONTEXT_SUFFIX: &str = ".build.tar.gz";
const RESTARTED: &str =
    "the local cloud stopped before this build finished; create the build again";

/// How builds run.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    /// The largest upload, and what a context may unpack to.
    pub max_context_bytes: u64,
    /// The longest one build may take in all.
    pub timeout: Duration,
    /// The native builder's options (Python, installer, caches, line bounds).
    pub builder: BuildOptions,
}

impl BuildSettings {
    /// The defaults for a data dir: pip's and uv's caches under it.
    pub fn new(data_dir: &Path) -> BuildSettings {
        BuildSettings {
            max_context_bytes: MAX_CONTEXT_BYTES,
            timeout: DEFAULT_BUILD_TIMEOUT,
            builder: BuildOptions {
                cache_dir: Some(data_dir.join("build-cache")),
                ..BuildOptions::default()
            },
        }
    }
}

/// The directories builds use, under the data dir.
#[derive(Debug, Clone)]
pub struct BuildDirs {
    /// Uploaded contexts (`<upload id>.tar.gz`).
    pub uploads: PathBuf,
    /// Contexts being built (`<build id>/`), removed after each build.
    pub work: PathBuf,
    /// Built images (`<build id>/`).
    pub images: PathBuf,
}

impl BuildDirs {
    pub fn new(data_dir: &Path) -> BuildDirs {
        BuildDirs {
            uploads: data_dir.join("uploads"),
            work: data_dir.join("build-work"),
            images: data_dir.join("images"),
        }
    }

    fn upload_file(&self, upload_id: &str) -> PathBuf {
        self.uploads.join(format!("{upload_id}.tar.gz"))
    }

    fn partial_file(&self, upload_id: &str) -> PathBuf {
        self.uploads.join(format!(".{upload_id}.part"))
    }

    /// The context of a queued or running build (its upload, renamed).
    fn build_context(&self, build_id: &str) -> PathBuf {
        self.uploads
            .join(format!("{build_id}{BUILD_CONTEXT_SUFFIX}"))
    }
}

/// The build queue and its worker.
pub struct Builds {
    dirs: BuildDirs,
    settings: BuildSettings,
    queue: mpsc::Sender<String>,
    /// The worker takes it when it starts (see [`Builds::start_worker`]).
    waiting: Mutex<Option<mpsc::Receiver<String>>>,
    stop: watch::Sender<bool>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Builds {
    /// Prepares the directories and ends what a previous server left: its
    /// unfinished builds fail, their half-built images and work dirs go,
    /// interrupted uploads are expired.
    pub fn open(store: &Store, dirs: BuildDirs, settings: BuildSettings) -> anyhow::Result<Builds> {
        for dir in [&dirs.uploads, &dirs.work, &dirs.images] {
            std::fs::create_dir_all(dir)?;
        }
        let failed = store.fail_unfinished_builds(RESTARTED, now_ns())?;
        for id in &failed {
            let _ = std::fs::remove_dir_all(dirs.images.join(id));
        }
        // Work dirs are only ever in use by a running build.
        if let Ok(entries) = std::fs::read_dir(&dirs.work) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        for id in store.expire_uploads(now_ns(), true)? {
            let _ = std::fs::remove_file(dirs.upload_file(&id));
        }
        // Partial uploads, and the contexts of the builds failed above.
        if let Ok(entries) = std::fs::read_dir(&dirs.uploads) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".part") || name.ends_with(BUILD_CONTEXT_SUFFIX) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let (queue, waiting) = mpsc::channel(MAX_QUEUED_BUILDS);
        Ok(Builds {
            dirs,
            settings,
            queue,
            waiting: Mutex::new(Some(waiting)),
            stop: watch::Sender::new(false),
            worker: Mutex::new(None),
        })
    }

    /// Starts the worker (once; needs a Tokio runtime).
    pub fn start_worker(&self, store: Arc<Store>) {
        let Some(waiting) = lock(&self.waiting).take() else {
            return;
        };
        let worker = Worker {
            store,
            dirs: self.dirs.clone(),
            settings: self.settings.clone(),
        };
        let stop = self.stop.subscribe();
        *lock(&self.worker) = Some(tokio::spawn(worker.run(waiting, stop)));
    }

    /// Stops the running build (it fails, saying why) and the worker.
    pub async fn shutdown(&self, store: &Store) {
        self.stop.send_replace(true);
        let worker = lock(&self.worker).take();
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Ok(ids) = store.fail_unfinished_builds(RESTARTED, now_ns()) {
            for id in ids {
                let _ = std::fs::remove_dir_all(self.dirs.images.join(&id));
            }
        }
    }
}

impl Cloud {
    /// `POST /builds/upload-url`: a new upload slot in `region` (the
    /// organization's default region when empty).
    pub fn build_upload_url(&self, request: &UploadUrlRequest) -> CloudResult<UploadUrlResponse> {
        let region = match request.region.trim() {
            "" => self.default_region()?,
            region => region.to_string(),
        };
        self.check_region(&region)?;
        let now = now_ns();
        for id in self.store.expire_uploads(now, false)? {
            let _ = std::fs::remove_file(self.builds.dirs.upload_file(&id));
        }
        if self.store.open_uploads()? >= MAX_OPEN_UPLOADS as i64 {
            return Err(CloudError::Busy(format!(
                "{MAX_OPEN_UPLOADS} uploads are open already; use them or wait until they expire ({} min)",
                UPLOAD_TTL.as_secs() / 60
            )));
        }
        let signature = new_secret("")?;
        let expires_ns = now + i64::try_from(UPLOAD_TTL.as_nanos()).unwrap_or(i64::MAX);
        let upload = UploadRecord {
            id: new_id(),
            region,
            token_hash: digest(&signature),
            created_ns: now,
            expires_ns,
            state: UPLOAD_PENDING.into(),
            size_bytes: None,
            context_hash: None,
        };
        self.store.insert_upload(&upload)?;
        let fields = BTreeMap::from([
            (KEY_FIELD.to_string(), upload_key(&upload.id)),
            ("Content-Type".to_string(), "application/gzip".to_string()),
            (SIGNATURE_FIELD.to_string(), signature),
        ]);
        Ok(UploadUrlResponse {
            upload_id: upload.id,
            upload_url: format!("{}{UPLOAD_PATH}", self.server_url()?),
            upload_fields: fields,
            expires_at: Some(rfc3339_millis(expires_ns)),
        })
    }

    /// The upload of a form whose fields (those before the file) are
    /// `fields`: checks the slot's key and signature and takes the slot.
    pub fn begin_upload(&self, fields: &BTreeMap<String, String>) -> CloudResult<UploadWriter> {
        let refused = |why: &str| CloudError::Forbidden(format!("Upload refused: {why}"));
        let key = fields
            .get(KEY_FIELD)
            .ok_or_else(|| refused("the form has no `key` field before the file"))?;
        let signature = fields
            .get(SIGNATURE_FIELD)
            .ok_or_else(|| refused("the form has no `signature` field before the file"))?;
        let id = key
            .strip_prefix(&format!("{ORG}/"))
            .and_then(|rest| rest.strip_suffix(".tar.gz"))
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
            .map(|id| id.hyphenated().to_string())
            .ok_or_else(|| refused("the `key` field names no upload of this server"))?;
        let upload = self
            .store
            .upload(&id)?
            .filter(|upload| upload.token_hash == digest(signature))
            // The same answer for an unknown slot and a wrong signature.
            .ok_or_else(|| refused("unknown upload or wrong signature"))?;
        if upload.expires_ns <= now_ns() {
            return Err(refused("the upload URL has expired; ask for a new one"));
        }
        if upload.state != UPLOAD_PENDING
            || !self
                .store
                .move_upload(&id, UPLOAD_PENDING, UPLOAD_RECEIVING, None)?
        {
            return Err(refused(
                "this upload URL was used already; ask for a new one",
            ));
        }
        Ok(UploadWriter {
            store: self.store.clone(),
            id: id.clone(),
            partial: self.builds.dirs.partial_file(&id),
            target: self.builds.dirs.upload_file(&id),
            file: None,
            hasher: ContextHasher::default(),
            size: 0,
            limit: self.builds.settings.max_context_bytes,
            done: false,
        })
    }

    /// `POST /builds`.
    pub fn create_build(
        &self,
        request: &CreateBuildRequest,
    ) -> CloudResult<(CreateBuildResponse, bool)> {
        let upload_id = uuid::Uuid::parse_str(request.upload_id.trim())
            .map(|id| id.hyphenated().to_string())
            .map_err(|_| {
                CloudError::InvalidInput(format!(
                    "uploadId must be the UUID that upload-url answered, got {:?}",
                    request.upload_id
                ))
            })?;
        let dockerfile = request
            .dockerfile_path
            .as_deref()
            .map(str::trim)
            .filter(|path| !path.is_empty())
            .unwrap_or(DEFAULT_DOCKERFILE)
            .to_string();
        if dockerfile.len() > 1024 || dockerfile.contains('\0') {
            return Err(CloudError::InvalidInput(
                "dockerfilePath must be a path of at most 1024 bytes".into(),
            ));
        }
        let upload = self
            .store
            .upload(&upload_id)?
            .ok_or_else(|| CloudError::InvalidInput(format!("Upload {upload_id} not found")))?;
        let region = match request.region.trim() {
            "" => upload.region.clone(),
            region => region.to_string(),
        };
        if region != upload.region {
            return Err(CloudError::InvalidInput(format!(
                "region {region:?} does not match the region of the upload ({:?})",
                upload.region
            )));
        }
        match upload.state.as_str() {
            UPLOAD_UPLOADED if upload.expires_ns > now_ns() => {}
            UPLOAD_PENDING | UPLOAD_RECEIVING => {
                return Err(CloudError::InvalidInput(format!(
                    "Upload {upload_id} has not been uploaded yet: send the context to its upload URL first"
                )));
            }
            UPLOAD_USED => {
                return Err(CloudError::InvalidInput(format!(
                    "Upload {upload_id} was used by a build already: upload the context again"
                )));
            }
            _ => {
                return Err(CloudError::InvalidInput(format!(
                    "Upload {upload_id} has expired: upload the context again"
                )));
            }
        }
        let context_hash = upload.context_hash.clone().unwrap_or_default();
        let size = upload.size_bytes.unwrap_or(0);
        if let Some(cached) = self
            .store
            .cached_build(&context_hash, &region, &dockerfile)?
        {
            if self
                .store
                .move_upload(&upload_id, UPLOAD_UPLOADED, UPLOAD_USED, None)?
            {
                let _ = std::fs::remove_file(self.builds.dirs.upload_file(&upload_id));
            }
            return Ok((
                CreateBuildResponse {
                    build: self.build_view(&cached),
                    context_hash: Some(context_hash),
                    cached: true,
                },
                false,
            ));
        }
        // A place in the queue first: a refusal leaves the upload usable.
        let permit = self.builds.queue.try_reserve().map_err(|_| {
            CloudError::Busy(format!(
                "{MAX_QUEUED_BUILDS} builds are waiting already; create this one when some have finished (the upload stays usable until it expires)"
            ))
        })?;
        if !self
            .store
            .move_upload(&upload_id, UPLOAD_UPLOADED, UPLOAD_USED, None)?
        {
            return Err(CloudError::InvalidInput(format!(
                "Upload {upload_id} was used by a build already: upload the context again"
            )));
        }
        let now = now_ns();
        let build = BuildRecord {
            id: new_id(),
            region,
            status: BuildStatus::Pending,
            context_hash: context_hash.clone(),
            dockerfile_path: dockerfile,
            context_size_bytes: size,
            image_size_bytes: None,
            error_message: None,
            created_ns: now,
            updated_ns: now,
            started_ns: None,
            completed_ns: None,
        };
        // Renamed to the build's id: the upload slot is done.
        let context = self
            .builds
            .dirs
            .uploads
            .join(format!("{}.build.tar.gz", build.id));
        std::fs::rename(self.builds.dirs.upload_file(&upload_id), &context).map_err(|err| {
            CloudError::Internal(format!("cannot take the uploaded context: {err}"))
        })?;
        self.store.insert_build(&build)?;
        permit.send(build.id.clone());
        Ok((
            CreateBuildResponse {
                build: self.build_view(&build),
                context_hash: Some(context_hash),
                cached: false,
            },
            true,
        ))
    }

    /// `GET /builds`.
    pub fn list_builds(&self, query: &BuildQuery) -> CloudResult<ListBuildsResponse> {
        let limit = match query.limit {
            None => DEFAULT_BUILD_PAGE,
            Some(limit) if (1..=MAX_BUILD_PAGE).contains(&limit) => limit,
            Some(limit) => {
                return Err(CloudError::InvalidInput(format!(
                    "limit must be between 1 and {MAX_BUILD_PAGE}, got {limit}"
                )));
            }
        };
        let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(parse_status(text)?),
        };
        let filter = BuildFilter {
            context_hash: query.context_hash.clone().filter(|h| !h.is_empty()),
            status,
            region: query.region.clone().filter(|r| !r.is_empty()),
            limit,
            offset: query.offset.unwrap_or(0),
        };
        let (total, builds) = self.store.builds(&filter)?;
        Ok(ListBuildsResponse {
            builds: builds.iter().map(|b| self.build_view(b)).collect(),
            total: Some(total),
            limit: Some(u64::from(limit)),
            offset: Some(u64::from(filter.offset)),
        })
    }

    /// `GET /builds/{id}`.
    pub fn get_build(&self, id: &str) -> CloudResult<GetBuildResponse> {
        Ok(GetBuildResponse {
            build: self.build_view(&self.existing_build(id)?),
        })
    }

    /// `GET /builds/{id}/logs`: lines from the first (or from `nextToken`
    /// of the previous page) on, at most `limit`. `nextToken` comes when
    /// more lines follow, and always while the build is not final.
    pub fn build_logs(&self, id: &str, query: &BuildLogQuery) -> CloudResult<GetBuildLogsResponse> {
        let build = self.existing_build(id)?;
        let limit = match query.limit {
            None => DEFAULT_BUILD_LOG_LINES,
            Some(limit) if (1..=MAX_BUILD_LOG_LINES).contains(&limit) => limit,
            Some(limit) => {
                return Err(CloudError::InvalidInput(format!(
                    "limit must be between 1 and {MAX_BUILD_LOG_LINES}, got {limit}"
                )));
            }
        };
        let from = match query.next_token.as_deref().filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => token
                .parse::<i64>()
                .ok()
                .filter(|from| *from >= 0)
                .ok_or_else(|| {
                    CloudError::InvalidInput(format!(
                        "nextToken must be a token from a previous answer, got {token:?}"
                    ))
                })?,
        };
        let (lines, more) = self.store.build_logs(&build.id, from, limit)?;
        let next = lines.last().map_or(from, |(seq, _)| seq + 1);
        Ok(GetBuildLogsResponse {
            logs: lines.into_iter().map(|(_, line)| line).collect(),
            // While the build runs more lines will come: a follower passes
            // the token back to get only those.
            next_token: (more || !build.status.is_final()).then(|| next.to_string()),
        })
    }

    /// A build of this organization, by id.
    pub(super) fn existing_build(&self, id: &str) -> CloudResult<BuildRecord> {
        let id = uuid::Uuid::parse_str(id.trim())
            .map(|id| id.hyphenated().to_string())
            .map_err(|_| {
                CloudError::InvalidInput(format!("Invalid build ID format: {id:?} is not a UUID"))
            })?;
        self.store
            .build(&id)?
            .ok_or(CloudError::NotFound(What::Build))
    }

    pub(super) fn build_view(&self, b: &BuildRecord) -> Build {
        let success = b.status == BuildStatus::Success;
        Build {
            id: b.id.clone(),
            organization_id: Some(self.org_id.clone()),
            status: b.status.clone(),
            region: Some(b.region.clone()),
            context_hash: Some(b.context_hash.clone()),
            dockerfile_path: Some(b.dockerfile_path.clone()),
            image_uri: success.then(|| build_image_uri(&b.id)),
            logs_url: None,
            error_message: b.error_message.clone(),
            context_size_bytes: Some(b.context_size_bytes.max(0) as u64),
            image_size_bytes: b
                .image_size_bytes
                .filter(|_| success)
                .map(|size| size.max(0) as u64),
            build_duration_seconds: match (b.started_ns, b.completed_ns) {
                (Some(start), Some(end)) => Some(((end - start).max(0) / 1_000_000_000) as u64),
                _ => None,
            },
            started_at: b.started_ns.map(rfc3339_millis),
            completed_at: b.completed_ns.map(rfc3339_millis),
            created_at: Some(rfc3339_millis(b.created_ns)),
            updated_at: Some(rfc3339_millis(b.updated_ns)),
        }
    }
}

/// Query of `GET /builds`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildQuery {
    pub context_hash: Option<String>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// Query of `GET /builds/{id}/logs`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildLogQuery {
    pub limit: Option<u32>,
    pub next_token: Option<String>,
}

fn parse_status(text: &str) -> CloudResult<BuildStatus> {
    match serde_json::from_value::<BuildStatus>(serde_json::Value::String(text.to_string())) {
        Ok(BuildStatus::Other) | Err(_) => Err(CloudError::InvalidInput(format!(
            "Invalid status {text:?}: use pending, building, success, failed or timeout"
        ))),
        Ok(status) => Ok(status),
    }
}

/// The `key` field of an upload slot.
fn upload_key(upload_id: &str) -> String {
    format!("{ORG}/{upload_id}.tar.gz")
}

/// One upload in progress: the bytes go to a private temp file and into
/// the hash; [`UploadWriter::finish`] moves the file into place and marks
/// the slot uploaded. Dropped unfinished, it removes the file and gives the
/// slot back, so a failed upload can be sent again.
pub struct UploadWriter {
    store: Arc<Store>,
    id: String,
    partial: PathBuf,
    target: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: ContextHasher,
    size: u64,
    limit: u64,
    done: bool,
}

impl UploadWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> CloudResult<()> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(CloudError::TooLarge(format!(
                "the build context is larger than {} (the local cloud's limit)",
                format_size(self.limit)
            )));
        }
        self.hasher.update(chunk);
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(create_private(&self.partial).await?),
        };
        file.write_all(chunk).await.map_err(write_failed)
    }

    pub async fn finish(mut self) -> CloudResult<()> {
        let file = match self.file.take() {
            Some(file) => file,
            None => create_private(&self.partial).await?,
        };
        file.sync_all().await.map_err(write_failed)?;
        drop(file);
        tokio::fs::rename(&self.partial, &self.target)
            .await
            .map_err(write_failed)?;
        let hash = std::mem::take(&mut self.hasher).finish();
        self.store.move_upload(
            &self.id,
            UPLOAD_RECEIVING,
            UPLOAD_UPLOADED,
            Some((i64::try_from(self.size).unwrap_or(i64::MAX), &hash)),
        )?;
        self.done = true;
        Ok(())
    }
}

impl Drop for UploadWriter {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.partial);
            let _ = std::fs::remove_file(&self.target);
            let _ = self
                .store
                .move_upload(&self.id, UPLOAD_RECEIVING, UPLOAD_PENDING, None);
        }
    }
}

async fn create_private(path: &Path) -> CloudResult<tokio::fs::File> {
    tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .await
        .map_err(write_failed)
}

fn write_failed(err: std::io::Error) -> CloudError {
    CloudError::Internal(format!("cannot store the upload: {err}"))
}

/// Runs queued builds one at a time.
struct Worker {
    store: Arc<Store>,
    dirs: BuildDirs,
    settings: BuildSettings,
}

impl Worker {
    async fn run(self, mut queue: mpsc::Receiver<String>, mut stop: watch::Receiver<bool>) {
        loop {
            let id = tokio::select! {
                id = queue.recv() => match id {
                    Some(id) => id,
                    None => return,
                },
                _ = stop.wait_for(|stop| *stop) => return,
            };
            tokio::select! {
                () = self.build(&id) => {}
                // Dropping the build stops its commands and removes its
                // image; the shutdown marks it failed.
                _ = stop.wait_for(|stop| *stop) => {
                    let _ = std::fs::remove_dir_all(self.dirs.work.join(&id));
                    return;
                }
            }
        }
    }

    async fn build(&self, id: &str) {
        let Ok(Some(record)) = self.store.build(id) else {
            return;
        };
        let started = now_ns();
        let _ = self.store.mark_build_started(id, started);
        let mut log = BuildLog::new(self.store.clone(), id);
        log.line(format!(
            "build {id}: context {} ({}), Dockerfile {}",
            record.context_hash,
            format_size(record.context_size_bytes.max(0) as u64),
            record.dockerfile_path
        ));
        let work = self.dirs.work.join(id);
        let image = self.dirs.images.join(id);
        let archive = self.dirs.build_context(id);
        let result = tokio::time::timeout(
            self.settings.timeout,
            self.unpack_and_build(&record, &archive, &work, &image, &mut log),
        )
        .await;
        let _ = std::fs::remove_dir_all(&work);
        let _ = std::fs::remove_file(&archive);
        let now = now_ns();
        let (status, error, size) = match result {
            Ok(Ok(())) => (
                BuildStatus::Success,
                None,
                Some(i64::try_from(dir_size(&image)).unwrap_or(i64::MAX)),
            ),
            Ok(Err(message)) => (BuildStatus::Failed, Some(message), None),
            Err(_) => {
                let _ = std::fs::remove_dir_all(&image);
                let message = format!(
                    "the build did not finish within {} s and was stopped",
                    self.settings.timeout.as_secs()
                );
                (BuildStatus::Timeout, Some(message), None)
            }
        };
        match &error {
            Some(message) => log.line(format!("build {}: {message}", status.as_str())),
            None => log.line("build succeeded".to_string()),
        }
        log.finish();
        let _ = self
            .store
            .mark_build_finished(id, &status, error.as_deref(), size, now);
    }

    async fn unpack_and_build(
        &self,
        record: &BuildRecord,
        archive: &Path,
        work: &Path,
        image: &Path,
        log: &mut BuildLog,
    ) -> Result<(), String> {
        log.line("unpacking the build context".to_string());
        let limits = UnpackLimits {
            max_bytes: self.settings.max_context_bytes,
            max_entries: MAX_CONTEXT_FILES,
        };
        let (archive, context) = (archive.to_path_buf(), work.join("context"));
        std::fs::create_dir_all(work)
            .map_err(|err| format!("cannot create {}: {err}", work.display()))?;
        let target = context.clone();
        let unpacked = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&archive)
                .map_err(|err| format!("cannot read the uploaded context: {err}"))?;
            unpack::unpack(std::io::BufReader::new(file), &target, &limits)
                .map_err(|err| format!("the build context was refused: {err}"))
        })
        .await
        .map_err(|err| format!("unpacking failed: {err}"))??;
        log.line(format!(
            "unpacked {} files ({})",
            unpacked.files,
            format_size(unpacked.bytes)
        ));
        let mut sink = |line: String| log.line(line);
        builder::build(
            &context,
            &record.dockerfile_path,
            image,
            &self.settings.builder,
            &mut sink,
        )
        .await
        .map(|_| ())
        .map_err(|err| err.to_string())
    }
}

/// A build's log: each line stored as it comes, up to
/// [`MAX_STORED_LOG_LINES`], then counted.
struct BuildLog {
    store: Arc<Store>,
    id: String,
    seq: i64,
    dropped: u64,
}

impl BuildLog {
    fn new(store: Arc<Store>, id: &str) -> BuildLog {
        BuildLog {
            store,
            id: id.to_string(),
            seq: 0,
            dropped: 0,
        }
    }

    fn line(&mut self, line: String) {
        // The last slot is kept for the count of what was not kept.
        if self.seq + 1 >= MAX_STORED_LOG_LINES as i64 {
            self.dropped += 1;
            return;
        }
        self.store_line(&line);
    }

    fn store_line(&mut self, line: &str) {
        // A store failure is logged by the store; the build goes on.
        let _ = self
            .store
            .append_build_log(&self.id, self.seq, now_ns(), line);
        self.seq += 1;
    }

    fn finish(&mut self) {
        if self.dropped > 0 {
            let line = format!("({} more log lines were not kept)", self.dropped);
            self.store_line(&line);
        }
    }
}

/// Bytes of the files under `dir` (symlinks not followed).
fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => pending.push(entry.path()),
                Ok(meta) if meta.is_file() => total += meta.len(),
                _ => {}
            }
        }
    }
    total
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
