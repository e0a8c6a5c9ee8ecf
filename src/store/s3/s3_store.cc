#include "store/s3/s3_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "store/aws/payload_hash.h"

namespace eventlake::s3 {
namespace {

std::string ContentType(const std::string& key) {
  auto ends = [&](std::string_view s) { return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0; };
  if (ends(".parquet")) return "application/vnd.apache.parquet";
  if (ends(".jsonl") || ends(".ndjson")) return "application/x-ndjson";
  return "application/octet-stream";
}

std::string XmlElement(std::string_view body, std::string_view name) {
  std::string open(1, '<');
  open.append(name).push_back('>');
  std::string close("</");
  close.append(name).push_back('>');
  const size_t at = body.find(open);
  if (at == std::string_view::npos) return "";
  const size_t end = body.find(close, at + open.size());
  if (end == std::string_view::npos) return "";
  return std::string(body.substr(at + open.size(), end - at - open.size()));
}

Status ReadRange(const std::string& path, uint64_t offset, uint64_t size, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot open staged file " + path + ": " + std::strerror(errno));
  out->resize(size);
  f.seekg(static_cast<std::streamoff>(offset));
  f.read(out->data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(f.gcount()) != size) return Status::Error("short read of staged file " + path);
  return Status::Ok();
}

Status Failed(const std::string& what, const aws::HttpResponse& r) {
  std::string msg = what + ": " + r.Describe();
  const std::string message = XmlElement(r.body, "Message");
  if (!message.empty()) msg += " (" + message + ")";
  if (r.retries > 0) msg += " after " + std::to_string(r.retries) + " retries";
  return Status::Error(msg);
}

}  // namespace

S3ObjectStore::S3ObjectStore(aws::AwsConfig config, S3Location location, S3StoreOptions options)
    : config_(std::move(config)), location_(std::move(location)), options_(std::move(options)),
      http_(config_, options_.http) {
  options_.parts_in_flight = std::max<size_t>(1, options_.parts_in_flight);
  options_.part_size = std::max<uint64_t>(1, options_.part_size);
}

aws::HttpRequest S3ObjectStore::Request(const std::string& method, const std::string& full_key,
                                        const aws::QueryParams& query) {
  aws::HttpRequest r;
  r.method = method;
  r.url = ObjectUrl(config_, location_.bucket, full_key, aws::CanonicalQuery(query));
  r.service = "s3";
  r.timeout = options_.timeout;
  return r;
}

aws::HttpResponse S3ObjectStore::RunOne(aws::HttpRequest request) {
  std::vector<aws::HttpRequest> batch;
  batch.push_back(std::move(request));
  aws::HttpResponse r = std::move(http_.Run(std::move(batch))[0]);
  stats_.retries += static_cast<uint64_t>(r.retries);
  return r;
}

Status S3ObjectStore::Publish(const std::string& staged_path, const std::string& key) {
  const std::string full_key = location_.ObjectKey(key);
  struct stat st {};
  if (stat(staged_path.c_str(), &st) != 0) {
    // Gone: an earlier publish finished (it removes the file last) or something is wrong.
    aws::HttpResponse head = RunOne(Request("HEAD", full_key, {}));
    if (head.ok()) return Status::Ok();
    if (head.status == 404)
      return Status::Error("staged file " + staged_path + " and its target " + location_.bucket + "/" + full_key +
                           " are both missing");
    return Failed("checking s3://" + location_.bucket + "/" + full_key, head);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Status s = size >= options_.multipart_threshold ? PutMultipart(staged_path, full_key, size)
                                                   : PutSingle(staged_path, full_key, size);
  EL_RETURN_IF_ERROR(s.Context("publishing s3://" + location_.bucket + "/" + full_key));
  ++stats_.objects;
  stats_.bytes += size;
  if (unlink(staged_path.c_str()) != 0 && errno != ENOENT)
    return Status::Error("uploaded, but cannot remove staged file " + staged_path + ": " + std::strerror(errno));
  return Status::Ok();
}

Status S3ObjectStore::PutSingle(const std::string& staged_path, const std::string& full_key, uint64_t size) {
  aws::HttpRequest r = Request("PUT", full_key, {});
  EL_RETURN_IF_ERROR(ReadRange(staged_path, 0, size, &r.body));
  r.headers = {{"Content-Type", ContentType(full_key)},
               {"Content-MD5", aws::Md5Base64(r.body)},
               {"x-amz-checksum-sha256", aws::Sha256Base64(r.body)}};
  aws::HttpResponse resp = RunOne(std::move(r));
  if (!resp.ok()) return Failed("PUT", resp);
  return Status::Ok();
}

Status S3ObjectStore::PutMultipart(const std::string& staged_path, const std::string& full_key, uint64_t size) {
  aws::HttpRequest create = Request("POST", full_key, {{"uploads", ""}});
  create.headers = {{"Content-Type", ContentType(full_key)}};
  aws::HttpResponse created = RunOne(std::move(create));
  if (!created.ok()) return Failed("CreateMultipartUpload", created);
  const std::string upload_id = XmlElement(created.body, "UploadId");
  if (upload_id.empty()) return Status::Error("CreateMultipartUpload answered without an UploadId");
  ++stats_.multipart_uploads;

  auto abort = [&](Status why) {
    // Best effort: a leftover upload only costs storage (a bucket lifecycle rule clears it).
    RunOne(Request("DELETE", full_key, {{"uploadId", upload_id}}));
    return why;
  };

  const uint64_t parts = (size + options_.part_size - 1) / options_.part_size;
  std::vector<std::string> etags(parts);
  for (uint64_t first = 0; first < parts; first += options_.parts_in_flight) {
    const uint64_t last = std::min<uint64_t>(parts, first + options_.parts_in_flight);
    std::vector<aws::HttpRequest> batch;
    for (uint64_t p = first; p < last; ++p) {
      const uint64_t offset = p * options_.part_size;
      aws::HttpRequest r =
          Request("PUT", full_key, {{"partNumber", std::to_string(p + 1)}, {"uploadId", upload_id}});
      Status read = ReadRange(staged_path, offset, std::min(options_.part_size, size - offset), &r.body);
      if (!read.ok()) return abort(read);
      r.headers = {{"Content-MD5", aws::Md5Base64(r.body)}};
      batch.push_back(std::move(r));
    }
    std::vector<aws::HttpResponse> done = http_.Run(std::move(batch));
    for (uint64_t p = first; p < last; ++p) {
      aws::HttpResponse& resp = done[p - first];
      stats_.retries += static_cast<uint64_t>(resp.retries);
      if (!resp.ok()) return abort(Failed("UploadPart " + std::to_string(p + 1), resp));
      etags[p] = std::string(resp.Header("etag"));
      if (etags[p].empty()) return abort(Status::Error("UploadPart " + std::to_string(p + 1) + " returned no ETag"));
    }
  }

  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (uint64_t p = 0; p < parts; ++p)
    xml += "<Part><PartNumber>" + std::to_string(p + 1) + "</PartNumber><ETag>" + etags[p] + "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  aws::HttpResponse resp;
  for (int attempt = 0; attempt < 3; ++attempt) {
    aws::HttpRequest complete = Request("POST", full_key, {{"uploadId", upload_id}});
    complete.headers = {{"Content-Type", "application/xml"}};
    complete.body = xml;
    resp = RunOne(std::move(complete));
    // S3 may answer 200 with an <Error> in the body (InternalError, SlowDown): retry those too.
    if (resp.ok() && resp.body.find("<Error>") == std::string::npos) return Status::Ok();
    if (!resp.ok()) break;  // the client already retried what can be retried
    resp.error_code = XmlElement(resp.body, "Code");
  }
  // A retried Complete whose first attempt succeeded finds no upload any more: the object is there.
  if (resp.error_code == "NoSuchUpload") {
    aws::HttpResponse head = RunOne(Request("HEAD", full_key, {}));
    if (head.ok() && head.Header("content-length") == std::to_string(size)) return Status::Ok();
  }
  return abort(Failed("CompleteMultipartUpload", resp));
}

std::unique_ptr<ObjectStore> MakeS3ObjectStore(aws::AwsConfig config, S3Location location, S3StoreOptions options) {
  return std::make_unique<S3ObjectStore>(std::move(config), std::move(location), std::move(options));
}

}  // namespace eventlake::s3
