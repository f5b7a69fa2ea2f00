// The engine's `detectors:` section (DetectorOptions).
#ifndef LOGWEAVE_CONFIG_DETECTORS_SECTION_H_
#define LOGWEAVE_CONFIG_DETECTORS_SECTION_H_

#include "absl/status/status.h"
#include "logweave/config_section.h"
#include "logweave/options.h"

namespace logweave::internal {

// Reads `detectors:` into `out` (keys absent keep their values).
// INVALID_ARGUMENT naming the key for an unknown key or a bad value.
absl::Status ReadDetectorsSection(const ConfigSection& section, DetectorOptions* out);

}  // namespace logweave::internal

#endif  // LOGWEAVE_CONFIG_DETECTORS_SECTION_H_
