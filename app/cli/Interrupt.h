// Ctrl-C (SIGINT) and SIGTERM in the CLI: the first one trips the cancellation token every command's JobContext
// uses, so the running job stops at its next check with the usual "cancelled during ..." jq::Error and writes no
// output (run files and JSON are written atomically, after the work). A second signal ends the process at once,
// by the signal's default action.
#pragma once

#include "common/Job.h"

namespace jq::cli {

// Installs the SIGINT/SIGTERM handlers (once; later calls do nothing).
void installInterruptHandlers();

// The token the handlers cancel: give it to each command's JobContext (`job.cancel = interruptToken();`).
const CancellationToken& interruptToken();

// The exit status for a cancelled run: 128 + the signal that cancelled it (130 for SIGINT, 143 for SIGTERM),
// 130 when no signal arrived.
int cancelledExitCode();

}  // namespace jq::cli
