#include "hub/HubClient.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"
#include "hub/Digest.h"
#include "hub/HubFiles.h"

namespace jq {

namespace fs = std::filesystem;

namespace {

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHandle {
  CURL* h;
  curl_slist* headers = nullptr;
  CurlHandle() : h(curl_easy_init()) {
    if (!h) throw Error(ErrorKind::Internal, "curl_easy_init failed");
  }
  ~CurlHandle() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
  void addHeader(const std::string& line) { headers = curl_slist_append(headers, line.c_str()); }
};

std::string lowerCase(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Percent-encodes everything but unreserved characters, and '/' too when keepSlash (Python's quote(safe="/")).
std::string percentEncode(const std::string& s, bool keepSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

struct HttpHead {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; the last response's only
};

size_t collectHeader(char* data, size_t size, size_t n, void* user) {
  auto* head = static_cast<HttpHead*>(user);
  std::string line(data, size * n);
  // A new status line starts a new response (after a followed redirect or a 100 Continue).
  if (line.rfind("HTTP/", 0) == 0) head->headers.clear();
  const size_t colon = line.find(':');
  if (colon != std::string::npos)
    head->headers[lowerCase(hubdetail::trimmed(line.substr(0, colon)))] = hubdetail::trimmed(line.substr(colon + 1));
  return size * n;
}

size_t collectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string headerOr(const HttpHead& h, const std::string& name, const std::string& fallback = {}) {
  auto it = h.headers.find(name);
  return it == h.headers.end() ? fallback : it->second;
}

// ETags arrive as "abc", W/"abc" or abc; the blob is named by the bare value.
std::string normalizeEtag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

std::string hostOf(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool isHexDigest(const std::string& s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// A repo path must stay inside the snapshot folder.
void checkRepoPath(const std::string& repoId, const std::string& file) {
  if (file.empty() || file[0] == '/' || file.find('\\') != std::string::npos)
    throwInvalid(repoId, "refusing the file name '" + file + "' (absolute or with backslashes)");
  for (const auto& part : fs::path(file))
    if (part == "..") throwInvalid(repoId, "refusing the file name '" + file + "' (it leaves the snapshot)");
}

void throwForStatus(long status, const HttpHead& head, const std::string& url, const std::string& what) {
  const std::string serverSays = headerOr(head, "x-error-message");
  const std::string detail = serverSays.empty() ? std::string() : " (server: " + serverSays + ")";
  if (status == 401 || status == 403)
    throw Error(ErrorKind::NotFound,
                what + ": HTTP " + std::to_string(status) + " from " + url + detail +
                    ": the repository is gated or private (or does not exist). Accept its licence on the Hub and "
                    "give a token: HF_TOKEN, or `huggingface-cli login` (writes $HF_HOME/token)");
  if (status == 404)
    throw Error(ErrorKind::NotFound, what + ": HTTP 404 from " + url + detail +
                                         ": no such repository, revision or file");
  throw Error(ErrorKind::Io, what + ": HTTP " + std::to_string(status) + " from " + url + detail);
}

// flock on the lock file huggingface_hub uses for the same blob (filelock's UnixFileLock is flock too).
class BlobLock {
 public:
  explicit BlobLock(const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd_ < 0) throwIo(path, std::string("cannot open lock file: ") + std::strerror(errno));
    if (::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      throwIo(path, std::string("cannot lock: ") + std::strerror(errno));
    }
  }
  ~BlobLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  BlobLock(const BlobLock&) = delete;
  BlobLock& operator=(const BlobLock&) = delete;

 private:
  int fd_ = -1;
};

uint64_t fileSizeOrZero(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : uint64_t(n);
}

// Body of one GET: appended to the .incomplete file only when the answer is 206 (or 200 from byte 0).
struct BodySink {
  CURL* curl = nullptr;
  std::string path;
  uint64_t offset = 0;       // bytes on disk before this request
  uint64_t received = 0;     // body bytes written by this request
  FILE* out = nullptr;
  bool decided = false;
  bool writing = false;
  bool restarted = false;    // the server ignored Range and sent the whole file
  std::string errorBody;
};

size_t writeBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t bytes = size * n;
  if (!sink->decided) {
    sink->decided = true;
    long status = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 206 || status == 200) {
      if (status == 200 && sink->offset > 0) sink->restarted = true;
      sink->out = std::fopen(sink->path.c_str(), sink->restarted || sink->offset == 0 ? "wb" : "ab");
      if (!sink->out) return 0;
      sink->writing = true;
    }
  }
  if (!sink->writing) {
    if (sink->errorBody.size() < 4096) sink->errorBody.append(data, bytes);
    return bytes;
  }
  if (std::fwrite(data, 1, bytes, sink->out) != bytes) return 0;
  sink->received += bytes;
  return bytes;
}

struct ProgressState {
  const JobContext* job;
  std::string file;
  uint64_t offset;
  uint64_t total;
};

int onProgress(void* user, curl_off_t, curl_off_t now, curl_off_t, curl_off_t) {
  auto* p = static_cast<ProgressState*>(user);
  if (p->job->cancel.isCancelled()) return 1;
  p->job->report("download", int64_t(p->offset + uint64_t(now)), int64_t(p->total), p->file);
  return 0;
}

void createRelativeSymlink(const std::string& blob, const std::string& pointer) {
  const fs::path link(pointer);
  fs::create_directories(link.parent_path());
  const fs::path target = fs::relative(fs::absolute(blob), fs::absolute(link.parent_path()));
  const std::string tmp = pointer + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_symlink(target, tmp, ec);
  if (ec) throwIo(pointer, "cannot create the snapshot symlink: " + ec.message());
  fs::rename(tmp, link, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throwIo(pointer, "cannot place the snapshot symlink: " + ec.message());
  }
}

void writeRef(const std::string& repoDir, const std::string& revision, const std::string& commit) {
  if (revision == commit) return;
  const std::string refFile = repoDir + "/refs/" + revision;
  std::error_code ec;
  if (fs::is_regular_file(refFile, ec) && hubdetail::trimmed(hubdetail::readSmallFile(refFile)) == commit) return;
  fs::create_directories(fs::path(refFile).parent_path());
  writeFileAtomically(refFile, commit);  // no newline, as huggingface_hub writes it
}

}  // namespace

bool hubPatternMatches(const std::string& pattern, const std::string& path) {
  std::string p = pattern;
  if (!p.empty() && p.back() == '/') p += "*";
  return ::fnmatch(p.c_str(), path.c_str(), 0) == 0;
}

HubClient::HubClient(HubSettings settings) : settings_(std::move(settings)) {
  if (settings_.offline)
    throw Error(ErrorKind::InvalidInput,
                "HF_HUB_OFFLINE is set: downloads from the Hub are disabled (unset it, or use what is cached in " +
                    settings_.cacheDir + ")");
  initCurlOnce();
}

RepoFiles HubClient::listFiles(const std::string& repoId, const std::string& revision, RepoType type) const {
  const std::string url = settings_.endpoint + "/api/" + (type == RepoType::Model ? "models/" : "datasets/") +
                          repoId + "/revision/" + percentEncode(revision, false);
  CurlHandle c;
  HttpHead head;
  std::string body;
  if (!settings_.token.empty()) c.addHeader("Authorization: Bearer " + settings_.token);
  curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  curl_easy_setopt(c.h, CURLOPT_USERAGENT, "jointquant/0.1");
  curl_easy_setopt(c.h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c.h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &head);
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, collectBody);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(c.h);
  if (rc != CURLE_OK) throw Error(ErrorKind::Io, "listing " + url + " failed: " + curl_easy_strerror(rc));
  curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &head.status);
  if (head.status != 200) throwForStatus(head.status, head, url, "listing the files of " + repoId);
  RepoFiles out;
  try {
    const auto j = nlohmann::json::parse(body);
    out.commit = j.at("sha").get<std::string>();
    for (const auto& s : j.at("siblings")) out.files.push_back(s.at("rfilename").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throwInvalid(url, std::string("unexpected answer from the Hub API (need \"sha\" and \"siblings\"): ") + e.what());
  }
  return out;
}

DownloadedFile HubClient::downloadFile(const std::string& repoId, const std::string& file,
                                       const DownloadOptions& options, const JobContext& job) const {
  checkRepoPath(repoId, file);
  if (!RepoRef::isValidId(repoId)) throwInvalid(repoId, "not a valid Hub repo id");
  const std::string repoDir = settings_.cacheDir + "/" + repoFolderName(repoId, options.type);
  const std::string resolveUrl = settings_.endpoint + (options.type == RepoType::Dataset ? "/datasets/" : "/") +
                                 repoId + "/resolve/" + percentEncode(options.revision, false) + "/" +
                                 percentEncode(file, true);
  const std::string auth = settings_.token.empty() ? std::string() : "Authorization: Bearer " + settings_.token;

  // 1. Metadata. Relative redirects (renamed repos) are followed, absolute ones (LFS storage) are not: the
  //    headers we need are on the Hub's own answer.
  HttpHead head;
  std::string url = resolveUrl;
  for (int hop = 0;; ++hop) {
    CurlHandle c;
    head = HttpHead();
    c.addHeader("Accept-Encoding: identity");
    if (!auth.empty()) c.addHeader(auth);
    curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
    curl_easy_setopt(c.h, CURLOPT_USERAGENT, "jointquant/0.1");
    curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c.h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, collectHeader);
    curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &head);
    const CURLcode rc = curl_easy_perform(c.h);
    if (rc != CURLE_OK) throw Error(ErrorKind::Io, "HEAD " + url + " failed: " + curl_easy_strerror(rc));
    curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &head.status);
    const std::string location = headerOr(head, "location");
    if (head.status >= 300 && head.status < 400 && !location.empty() && location[0] == '/' && hop < 5) {
      url = settings_.endpoint + location;
      continue;
    }
    break;
  }
  if (head.status >= 400) throwForStatus(head.status, head, url, "downloading " + repoId + "/" + file);
  const std::string commit = headerOr(head, "x-repo-commit");
  const std::string etag = normalizeEtag(headerOr(head, "x-linked-etag", headerOr(head, "etag")));
  const std::string sizeText = headerOr(head, "x-linked-size", headerOr(head, "content-length"));
  if (commit.empty() || etag.empty())
    throwInvalid(url, "the server sent no X-Repo-Commit or ETag header: is HF_ENDPOINT (" + settings_.endpoint +
                          ") a Hugging Face Hub?");
  if (etag.find('/') != std::string::npos || etag.find("..") != std::string::npos)
    throwInvalid(url, "refusing the ETag '" + etag + "' as a blob name");
  const uint64_t size = sizeText.empty() ? 0 : std::stoull(sizeText);
  const bool haveSize = !sizeText.empty();
  std::string getUrl = resolveUrl;
  const std::string location = headerOr(head, "location");
  if (head.status >= 300 && head.status < 400 && !location.empty()) getUrl = location;

  DownloadedFile result;
  result.file = file;
  result.etag = etag;
  result.size = size;
  result.path = repoDir + "/snapshots/" + commit + "/" + file;
  const std::string blob = repoDir + "/blobs/" + etag;

  writeRef(repoDir, options.revision, commit);
  std::error_code ec;
  if (fs::exists(result.path, ec) && fs::exists(blob, ec) && fs::equivalent(result.path, blob, ec)) {
    result.cached = true;
    return result;
  }
  fs::create_directories(repoDir + "/blobs");
  BlobLock lock(settings_.cacheDir + "/.locks/" + repoFolderName(repoId, options.type) + "/" + etag + ".lock");

  if (!fs::exists(blob, ec)) {
    // 2. The body, into <blob>.incomplete, resumed from whatever an earlier attempt left there.
    const std::string partial = blob + ".incomplete";
    const bool sendAuth = !auth.empty() && hostOf(getUrl) == hostOf(settings_.endpoint);
    for (int attempt = 1;; ++attempt) {
      job.checkCancelled("download");
      uint64_t offset = fileSizeOrZero(partial);
      if (haveSize && offset > size) {
        fs::remove(partial, ec);
        offset = 0;
      }
      if (haveSize && offset == size && (offset > 0 || fs::exists(partial, ec))) break;
      if (attempt == 1 && offset > 0) result.resumedFrom = offset;
      if (attempt > 1 && result.resumedFrom == 0) result.resumedFrom = offset;

      CurlHandle c;
      HttpHead getHead;
      BodySink sink;
      sink.curl = c.h;
      sink.path = partial;
      sink.offset = offset;
      if (sendAuth) c.addHeader(auth);
      if (offset > 0) c.addHeader("Range: bytes=" + std::to_string(offset) + "-");
      ProgressState progress{&job, file, offset, size};
      curl_easy_setopt(c.h, CURLOPT_URL, getUrl.c_str());
      curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
      curl_easy_setopt(c.h, CURLOPT_USERAGENT, "jointquant/0.1");
      curl_easy_setopt(c.h, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT, 10L);
      // A stalled transfer (under 1 byte/s for 60 s) counts as broken and is resumed.
      curl_easy_setopt(c.h, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(c.h, CURLOPT_LOW_SPEED_TIME, 60L);
      curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, collectHeader);
      curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &getHead);
      curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, writeBody);
      curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &sink);
      curl_easy_setopt(c.h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(c.h, CURLOPT_XFERINFOFUNCTION, onProgress);
      curl_easy_setopt(c.h, CURLOPT_XFERINFODATA, &progress);
      const CURLcode rc = curl_easy_perform(c.h);
      if (sink.out) std::fclose(sink.out);
      ++result.requests;
      result.bytesTransferred += sink.received;
      curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &getHead.status);
      if (rc == CURLE_ABORTED_BY_CALLBACK)
        throw Error(ErrorKind::Cancelled, "download of " + repoId + "/" + file + " cancelled (" + partial +
                                              " is kept and resumed next time)");
      if (rc == CURLE_OK && getHead.status == 416) {  // our partial file is not a prefix the server knows
        fs::remove(partial, ec);
        continue;
      }
      if (rc == CURLE_OK && getHead.status >= 400) throwForStatus(getHead.status, getHead, getUrl, "downloading " + file);
      if (rc == CURLE_WRITE_ERROR) throwIo(partial, "cannot write the download");
      const uint64_t have = fileSizeOrZero(partial);
      if (rc == CURLE_OK && (!haveSize || have == size)) {
        if (!fs::exists(partial, ec)) writeFileAtomically(partial, "");  // an empty file has no body to write
        break;
      }
      const std::string why = rc != CURLE_OK ? curl_easy_strerror(rc) : "the transfer ended early";
      if (attempt >= options.maxAttempts)
        throw Error(ErrorKind::Io, "download of " + repoId + "/" + file + " broke off at byte " +
                                       std::to_string(have) + " of " + std::to_string(size) + " (" + why + ") after " +
                                       std::to_string(attempt) + " attempt(s); run again to resume from " + partial);
      JQ_WARN("download of " << file << " broke off at byte " << have << " (" << why << "), resuming");
    }

    // 3. Check the bytes against the name they will be stored under, then publish the blob.
    if (haveSize && fileSizeOrZero(partial) != size) {
      fs::remove(partial, ec);
      throwInvalid(partial, "downloaded size differs from the announced " + std::to_string(size) + " bytes");
    }
    std::string actual;
    if (isHexDigest(etag, 64))
      actual = sha256OfFile(partial);
    else if (isHexDigest(etag, 40))
      actual = gitBlobSha1OfFile(partial);
    else
      JQ_WARN(file << ": ETag '" << etag << "' is neither a sha256 nor a git sha1; the download is not verified");
    if (!actual.empty() && actual != lowerCase(etag)) {
      fs::remove(partial, ec);
      throwInvalid(blob, "checksum mismatch for " + repoId + "/" + file + ": the Hub names it " + etag +
                             " but the downloaded bytes hash to " + actual + "; the download was discarded");
    }
    fs::rename(partial, blob, ec);
    if (ec) throwIo(blob, "cannot move the verified download into place: " + ec.message());
  } else {
    result.cached = true;
  }
  // 4. Only a complete, verified blob gets a snapshot entry.
  createRelativeSymlink(blob, result.path);
  return result;
}

SnapshotDownload HubClient::downloadSnapshot(const std::string& repoId, const DownloadOptions& options,
                                             const JobContext& job) const {
  const RepoFiles listing = listFiles(repoId, options.revision, options.type);
  std::vector<std::string> wanted;
  for (const auto& f : listing.files) {
    bool take = options.include.empty();
    for (const auto& pattern : options.include) take = take || hubPatternMatches(pattern, f);
    if (take) wanted.push_back(f);
  }
  SnapshotDownload out;
  out.repoId = repoId;
  out.commit = listing.commit;
  const std::string repoDir = settings_.cacheDir + "/" + repoFolderName(repoId, options.type);
  out.snapshotPath = repoDir + "/snapshots/" + listing.commit;
  DownloadOptions atCommit = options;
  atCommit.revision = listing.commit;
  for (size_t i = 0; i < wanted.size(); ++i) {
    JQ_INFO("downloading " << repoId << "/" << wanted[i] << " (" << i + 1 << "/" << wanted.size() << ")");
    out.files.push_back(downloadFile(repoId, wanted[i], atCommit, job));
  }
  // The branch name is recorded last: a failed download must not leave refs/main pointing at a partial snapshot
  // that the next `--model org/name` would take as complete.
  fs::create_directories(out.snapshotPath);
  writeRef(repoDir, options.revision, listing.commit);
  return out;
}

}  // namespace jq
