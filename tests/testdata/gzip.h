// Test helper: gzip (RFC 1952) through zlib, for compressed files and bodies.
#ifndef LOGWEAVE_TESTS_TESTDATA_GZIP_H_
#define LOGWEAVE_TESTS_TESTDATA_GZIP_H_

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace logweave::testdata {

// `data` gzip-compressed (a single member).
inline std::string Gzip(std::string_view data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// `n` zero bytes gzip-compressed (about n / 1000 bytes: a "gzip bomb"),
// deflated piece by piece so that the n bytes are never held.
inline std::string GzipZeros(size_t n) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  static const char kZeros[64 * 1024] = {};
  std::string out;
  char buf[64 * 1024];
  for (size_t left = n;;) {
    const size_t piece = std::min(left, sizeof(kZeros));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(kZeros));
    zs.avail_in = static_cast<uInt>(piece);
    left -= piece;
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int ret = Z_OK;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      ret = deflate(&zs, flush);
      out.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
    if (ret == Z_STREAM_END) break;
  }
  deflateEnd(&zs);
  return out;
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_GZIP_H_
