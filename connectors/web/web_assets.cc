#include "connectors/web/web_assets.h"

namespace logweave {

const WebAsset* FindWebAsset(std::string_view name) {
  for (const WebAsset& asset : WebAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace logweave
