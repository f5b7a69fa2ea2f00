// A loopback port free at the moment, for a server whose address must be
// known before it starts (peers listing each other, Prometheus, which cannot
// listen on port 0 and say which port it got).
#ifndef LOGWEAVE_TESTS_TESTDATA_FREE_PORT_H_
#define LOGWEAVE_TESTS_TESTDATA_FREE_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace logweave::testdata {

// 0 if none could be had.
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_FREE_PORT_H_
