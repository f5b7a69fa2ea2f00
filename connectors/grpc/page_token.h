// The page tokens of the listing calls (SearchTraces, ListUnstructured): a
// position in a list ordered by (time, id), the last item of the previous
// page. One format for a single instance and for answers merged across peers
// (connectors/grpc/peers): the order is total, so the last item of a merged
// page is every instance's position too.
#ifndef LOGWEAVE_CONNECTORS_GRPC_PAGE_TOKEN_H_
#define LOGWEAVE_CONNECTORS_GRPC_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

namespace logweave {

struct Cursor {
  int64_t time = 0;
  std::string id;  // as stored (any bytes): base64 on the wire
};

std::string EncodeCursor(const Cursor& c);
// False for a token EncodeCursor did not make.
bool DecodeCursor(const std::string& token, Cursor* c);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PAGE_TOKEN_H_
