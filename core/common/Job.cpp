#include "common/Job.h"

#include "common/Error.h"

namespace jq {

void CancellationToken::throwIfCancelled(const std::string& stage) const {
  if (isCancelled()) throw Error(ErrorKind::Cancelled, "cancelled during " + stage);
}

}  // namespace jq
