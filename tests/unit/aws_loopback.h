#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1:<ephemeral> for the AWS client tests: one thread
// per connection, keep-alive, "100 Continue" when asked, every request recorded, the
// answer chosen by a handler. No sleeping: a handler that must wait for other requests
// uses a latch (WaitForInFlight) with a deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace eventlake::testing {

struct CapturedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  int connection = 0;  // 1-based accept order

  std::string Header(const std::string& lower_name) const {
    for (const auto& [n, v] : headers)
      if (n == lower_name) return v;
    return "";
  }
  int HeaderCount(const std::string& lower_name) const {
    return static_cast<int>(std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == lower_name; }));
  }
};

struct CannedReply {
  CannedReply(int status_code = 200, std::string body_bytes = "",
              std::vector<std::pair<std::string, std::string>> extra_headers = {})
      : status(status_code), body(std::move(body_bytes)), headers(std::move(extra_headers)) {}
  // Never answers; the connection is dropped once the client gives up.
  static CannedReply Hang() {
    CannedReply r;
    r.hang = true;
    return r;
  }

  int status;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;
};

class LoopbackServer {
 public:
  using Handler = std::function<CannedReply(const CapturedRequest&)>;

  explicit LoopbackServer(Handler handler = {}) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 128) != 0)
      throw std::runtime_error("loopback listener: bind/listen failed");
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~LoopbackServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();  // no new connections after this
    close(listen_fd_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int port() const { return port_; }
  std::string Origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // "host:80:127.0.0.1:<port>" for HttpClientOptions::connect_to.
  std::string ConnectTo(const std::string& host, int from_port = 80) const {
    return host + ":" + std::to_string(from_port) + ":127.0.0.1:" + std::to_string(port_);
  }

  std::vector<CapturedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }
  int peak_in_flight() const { return peak_in_flight_.load(); }

  // For handlers: blocks until `n` requests have been handled at once (a latch: it
  // stays open once reached), or the deadline.
  bool WaitForInFlight(int n, std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, deadline, [&] { return peak_in_flight_ >= n || stopping_; });
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      const int id = ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.insert(fd);
      workers_.emplace_back([this, fd, id] { Serve(fd, id); });
    }
  }

  static bool ReadMore(int fd, std::string& buf) {
    char chunk[65536];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  static void SendAll(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  void Serve(int fd, int id) {
    std::string buf;
    for (;;) {
      size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!ReadMore(fd, buf)) return Close(fd);
      }
      CapturedRequest req;
      req.connection = id;
      std::string head = buf.substr(0, head_end);
      buf.erase(0, head_end + 4);
      size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          size_t v = line.find_first_not_of(' ', colon + 1);
          req.headers.emplace_back(name, v == std::string::npos ? "" : line.substr(v));
        }
        pos = e + 2;
      }
      const std::string length = req.Header("content-length");
      const size_t body_size = length.empty() ? 0 : std::stoul(length);
      if (body_size > 0 && req.Header("expect") == "100-continue") SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      while (buf.size() < body_size) {
        if (!ReadMore(fd, buf)) return Close(fd);
      }
      req.body = buf.substr(0, body_size);
      buf.erase(0, body_size);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
        ++in_flight_;
        peak_in_flight_ = std::max(peak_in_flight_.load(), in_flight_);
      }
      cv_.notify_all();
      CannedReply reply = handler_ ? handler_(req) : CannedReply{};
      {
        std::lock_guard<std::mutex> lock(mu_);
        --in_flight_;
      }
      if (reply.hang) {
        std::string ignored;
        while (ReadMore(fd, ignored)) {
        }
        return Close(fd);
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Length: " +
                        std::to_string(reply.body.size()) + "\r\n";
      for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
      out += "\r\n";
      if (req.method != "HEAD") out += reply.body;
      SendAll(fd, out);
    }
  }

  void Close(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(fd);
    close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> peak_in_flight_{0};
  int in_flight_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<int> open_fds_;
  std::vector<CapturedRequest> requests_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace eventlake::testing
