// The files of the web page (connectors/web/assets: HTML, CSS, JS), built into
// the binary: embed_assets.cmake turns them into a generated .cc at build
// time, so that serve needs no files beside it and no CDN.
//
//   const WebAsset* css = FindWebAsset("app.css");   // null if there is none
#ifndef LOGWEAVE_CONNECTORS_WEB_WEB_ASSETS_H_
#define LOGWEAVE_CONNECTORS_WEB_WEB_ASSETS_H_

#include <string_view>

#include "absl/types/span.h"

namespace logweave {

struct WebAsset {
  std::string_view name;          // file name under assets/, e.g. "trace.html"
  std::string_view content_type;  // from the extension, e.g. "text/html; charset=utf-8"
  std::string_view body;          // the file's bytes; static storage
};

// Every asset, by name. Thread-safe (constant).
absl::Span<const WebAsset> WebAssets();

// The asset called `name`, or null.
const WebAsset* FindWebAsset(std::string_view name);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WEB_WEB_ASSETS_H_
