#include "common/Log.h"

#include "common/Error.h"

namespace jq {

void setLogLevel(const std::string& level) {
  if (!trySetLogLevel(level))
    throw Error(ErrorKind::InvalidInput,
                "unknown log level '" + level + "' (trace, debug, info, warn, error, critical, off)");
}

}  // namespace jq
